/**
 * The messages of the errors the API answers with, by code. The codes, their statuses and what they mean are
 * registered in src/errors.ts (the one registry); this adds each one's message, which the API needs and the
 * layers below do not. Messages that upstream components-api also sends are quoted exactly (including its
 * spelling), so upstream clients keep matching them. docs/errors.md lists every template; a test checks them.
 */
import { ERRORS, UserError, type FailureCode } from '../errors.js';
import { TOOL_NAME_RULE } from './tool-name.js';

type Template = (...args: string[]) => string;

interface ErrorDefinition {
  /** Names of the message's arguments, in order (docs/errors.md shows them as `<name>`). */
  readonly params: readonly string[];
  readonly message: Template;
}

function define(params: readonly string[], message: Template): ErrorDefinition {
  return { params, message };
}

/** The message with `<param>` placeholders, as docs/errors.md lists it. */
export function messageTemplate(code: ApiErrorCode): string {
  const definition: ErrorDefinition = API_ERRORS[code];
  return definition.message(...definition.params.map((p) => `<${p}>`));
}

export const API_ERRORS = {
  CMP_ERR_HEADER_REQUIRED: define([], () => "The 'x-toolforge-tool' header is required"),
  CMP_ERR_HEADER_OR_TOKEN_REQUIRED: define([], () => "The 'x-toolforge-tool' header or a token are required"),
  CMP_ERR_NO_TOKEN_YET: define(
    ['tool'],
    (tool) => `The tool '${tool}' has no deploy token yet, you have to create one before using it`,
  ),
  CMP_ERR_TOKEN_MISMATCH: define(
    ['token'],
    (token) => `The token passed '${token}' does not match the tool's token`,
  ),
  CMP_ERR_TOKEN_EXPIRED: define(
    ['token'],
    (token) => `The token passed '${token}' has expired, please create a new one`,
  ),
  CMP_ERR_TOOL_MISMATCH: define(
    ['header', 'tool'],
    (header, tool) => `The 'x-toolforge-tool' header names the tool '${header}', not '${tool}'`,
  ),
  CMP_ERR_INVALID_TOOL_NAME: define(
    ['tool'],
    (tool) => `Validation error at toolname: Invalid tool name, ${TOOL_NAME_RULE}. Received value: '${tool}'`,
  ),
  CMP_ERR_CONFIG_NOT_FOUND: define(['tool'], (tool) => `No configuration found for tool: ${tool}`),
  CMP_ERR_SOURCE_URL: define(
    ['url', 'error'],
    (url, error) => `Unable to retrive config from source url ${url}: ${error}`,
  ),
  CMP_ERR_VALIDATION: define(['loc', 'msg'], (loc, message) => `Validation error at ${loc}: ${message}`),
  CMP_ERR_INVALID_JSON: define(
    ['n', 'error'],
    (position, message) => `Invalid JSON at position ${position}: ${message}`,
  ),
  CMP_ERR_BODY_TOO_LARGE: define(
    ['limit'],
    (limit) => `Request body is too large: the limit is ${limit} bytes`,
  ),
  CMP_ERR_UNSUPPORTED_MEDIA_TYPE: define(
    ['type'],
    (type) =>
      `Unsupported content type ${type}: send application/json or YAML (application/yaml, text/plain)`,
  ),
  CMP_ERR_DEPLOYMENT_ACTIVE: define(
    ['id', 'state', 'created'],
    (id, state, createdAt) =>
      `There's already 1 running, the limit is 1. Wait for it to finish for now. Active deployment: ${id} (${state}, created ${createdAt}).`,
  ),
  CMP_ERR_DEPLOYMENT_NOT_FOUND: define(
    ['id', 'tool'],
    (id, tool) => `Deployment ${id} not found for tool: ${tool}`,
  ),
  CMP_ERR_NO_DEPLOYMENTS: define(['tool'], (tool) => `No deployments found for tool: ${tool}`),
  CMP_ERR_NOT_CANCELLABLE: define(
    ['state'],
    (state) => `Deployment can't be cancelled, it's state is ${state}`,
  ),
  CMP_ERR_TOKEN_EXISTS: define(
    ['tool'],
    (tool) =>
      `Deploy token already exists. Use the 'refresh' subcommand or PUT /tool/${tool}/deployment/token to refresh it.`,
  ),
  CMP_ERR_TOKEN_NOT_FOUND: define(['tool'], (tool) => `No deploy token found for tool: ${tool}`),
  CMP_ERR_ROLLBACK_NOT_SUCCESSFUL: define(
    ['id', 'state'],
    (id, state) =>
      `Deployment ${id} cannot be rolled back to: it is ${state}, and only a successful deployment is a version that worked`,
  ),
  CMP_ERR_NO_ROLLBACK_TARGET: define(
    ['tool'],
    (tool) => `No successful deployment of ${tool} before the current one: there is nothing to roll back to`,
  ),
  CMP_ERR_STALE_PLAN: define(
    ['plan-id', 'changes'],
    (planId, changes) => `Plan ${planId} is stale: ${changes}`,
  ),
  CMP_ERR_DEPLOYMENT_IN_PROGRESS: define(
    ['id', 'state'],
    (id, state) => `Deployment ${id} is still ${state}, retry later for its result`,
  ),
  CMP_ERR_DEPLOYMENT_UNSUCCESSFUL: define(
    ['id', 'state', 'summary'],
    (id, state, summary) => `Deployment ${id} ended ${state}: ${summary}`,
  ),
  CMP_ERR_RUNTIME: define(['error'], (message) => `Unable to read the tool's builds and jobs: ${message}`),
  CMP_ERR_NO_BUILD: define(
    ['component'],
    (component) =>
      `No build found for component: ${component} (a component with reuse-from runs another component's image)`,
  ),
  CMP_ERR_JOB_NOT_FOUND: define(['component'], (component) => `No job found for component: ${component}`),
  CMP_ERR_NOT_FOUND: define([], () => 'Not Found'),
  CMP_ERR_METHOD_NOT_ALLOWED: define([], () => 'Method Not Allowed'),
  CMP_ERR_INTERNAL: define([], () => 'Internal server error'),
} as const satisfies { readonly [C in FailureCode]?: ErrorDefinition };

export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error the API answers with: `messages.error` holds `messages` (one entry per problem). */
export class ApiError extends UserError {
  readonly messages: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    code: ApiErrorCode,
    messages: readonly string[],
    headers: Readonly<Record<string, string>> = {},
    status: number = ERRORS[code].status,
  ) {
    super(code, messages[0] ?? code, { status });
    this.name = 'ApiError';
    this.messages = messages;
    this.headers = headers;
  }
}

export function apiError(code: ApiErrorCode, ...args: string[]): ApiError {
  return new ApiError(code, [API_ERRORS[code].message(...args)]);
}

/**
 * One 422 carrying every validation problem, each `Validation error at <loc>: <msg>`; `<msg>` ends with
 * upstream's `. Received value: '<input>'` when the client sent a value there (see received-value.ts).
 */
export function validationError(
  entries: ReadonlyArray<{ readonly loc: string; readonly message: string }>,
): ApiError {
  return new ApiError(
    'CMP_ERR_VALIDATION',
    entries.map((e) => API_ERRORS.CMP_ERR_VALIDATION.message(e.loc, e.message)),
  );
}
