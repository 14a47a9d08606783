/**
 * The error-code registry: every code a person or a client can meet, what it means, and how the API and the CLI
 * answer it. A code is matched, never a message: messages are for people and may be reworded (upstream's quoted
 * ones aside, see api/api-errors.ts). docs/errors.md documents every code; test/integration/api/errors-doc.test.ts checks
 * that the two agree both ways.
 *
 * Three kinds of code:
 * - `failure`: thrown as a UserError (or the API's ApiError): the API answers `status`, the CLI exits with
 *   `exitCode`;
 * - `config-error`: a problem the config loader reports (a Diagnostic) that makes the config unusable: the API
 *   answers it as one entry of a CMP_ERR_VALIDATION 422, `config validate` exits 1;
 * - `config-warning`: a problem the loader reports and the config survives (the field is skipped, the value
 *   corrected): the API lists it in `messages.warning`, nothing fails, so there is no status or exit code.
 */

export const ERROR_KINDS = ['failure', 'config-error', 'config-warning'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

interface FailureEntry {
  readonly kind: 'failure';
  readonly status: number;
  readonly exitCode: number;
  readonly description: string;
}

interface ConfigErrorEntry {
  readonly kind: 'config-error';
  readonly status: 422;
  readonly exitCode: 1;
  readonly description: string;
}

interface ConfigWarningEntry {
  readonly kind: 'config-warning';
  readonly description: string;
}

export type ErrorEntry = FailureEntry | ConfigErrorEntry | ConfigWarningEntry;

function failure(status: number, exitCode: number, description: string): FailureEntry {
  return { kind: 'failure', status, exitCode, description };
}

function configError(description: string): ConfigErrorEntry {
  return { kind: 'config-error', status: 422, exitCode: 1, description };
}

function configWarning(description: string): ConfigWarningEntry {
  return { kind: 'config-warning', description };
}

export const ERRORS = {
  // Answered by the components API (message templates: api/api-errors.ts).
  CMP_ERR_HEADER_REQUIRED: failure(401, 1, 'A tool route was called without the x-toolforge-tool header'),
  CMP_ERR_HEADER_OR_TOKEN_REQUIRED: failure(
    401,
    1,
    'A route that accepts a deploy token got neither the x-toolforge-tool header nor a token',
  ),
  CMP_ERR_NO_TOKEN_YET: failure(401, 1, 'A deploy token was sent for a tool that has none yet'),
  CMP_ERR_TOKEN_MISMATCH: failure(401, 1, "The deploy token sent is not the tool's"),
  CMP_ERR_TOKEN_EXPIRED: failure(401, 1, 'The deploy token sent has expired'),
  CMP_ERR_TOOL_MISMATCH: failure(403, 1, 'The x-toolforge-tool header names another tool than the path'),
  CMP_ERR_INVALID_TOOL_NAME: failure(
    422,
    2,
    'A tool name (in the path, or given to the CLI) cannot be a tool',
  ),
  CMP_ERR_CONFIG_NOT_FOUND: failure(404, 1, 'The tool has no stored config'),
  CMP_ERR_SOURCE_URL: failure(400, 1, 'The config could not be fetched from its source_url'),
  CMP_ERR_VALIDATION: failure(422, 1, 'The request, or the config in it, is invalid: one entry per problem'),
  CMP_ERR_INVALID_JSON: failure(422, 1, 'The body cannot be parsed as JSON'),
  CMP_ERR_BODY_TOO_LARGE: failure(413, 1, 'The body is larger than the server accepts'),
  CMP_ERR_UNSUPPORTED_MEDIA_TYPE: failure(415, 1, 'The body is neither JSON nor YAML'),
  CMP_ERR_DEPLOYMENT_ACTIVE: failure(409, 1, 'Another deployment of the tool has not finished yet'),
  CMP_ERR_DEPLOYMENT_NOT_FOUND: failure(404, 1, 'The tool has no deployment with that id'),
  CMP_ERR_NO_DEPLOYMENTS: failure(404, 1, 'The tool has no deployment yet'),
  CMP_ERR_NOT_CANCELLABLE: failure(409, 1, 'The deployment has already ended, so it cannot be cancelled'),
  CMP_ERR_TOKEN_EXISTS: failure(409, 1, 'The tool has a deploy token already: refresh it instead'),
  CMP_ERR_TOKEN_NOT_FOUND: failure(404, 1, 'The tool has no deploy token'),
  CMP_ERR_ROLLBACK_NOT_SUCCESSFUL: failure(409, 1, 'Only a successful deployment can be rolled back to'),
  CMP_ERR_NO_ROLLBACK_TARGET: failure(404, 1, 'There is no successful deployment before the latest one'),
  CMP_ERR_STALE_PLAN: failure(409, 1, 'The plan deployed no longer matches the config or what runs'),
  CMP_ERR_DEPLOYMENT_IN_PROGRESS: failure(429, 1, 'The deployment has no result yet: retry later'),
  CMP_ERR_DEPLOYMENT_UNSUCCESSFUL: failure(409, 1, 'The deployment ended without succeeding'),
  CMP_ERR_RUNTIME: failure(502, 1, "The tool's builds and jobs could not be read from the runtime"),
  CMP_ERR_NO_BUILD: failure(404, 1, "The component has no build (or runs another component's image)"),
  CMP_ERR_JOB_NOT_FOUND: failure(404, 1, 'The component has no job'),
  CMP_ERR_NOT_FOUND: failure(404, 1, 'No route has this path'),
  CMP_ERR_METHOD_NOT_ALLOWED: failure(405, 1, 'The path does not take this method'),
  CMP_ERR_INTERNAL: failure(500, 1, 'An unexpected failure, logged by the server'),

  // Raised by the core and the CLI; the API answers those below 500 as CMP_ERR_VALIDATION with their status.
  CMP_ERR_PLAN: failure(422, 1, 'No plan can be made from these inputs (an unknown --only name, …)'),
  CMP_ERR_PLAN_FORMAT: failure(400, 1, 'A plan JSON document is in a format this version cannot read'),
  CMP_ERR_STATUS_SNAPSHOT: failure(400, 1, 'A status snapshot file cannot be read or is malformed'),
  CMP_ERR_CONFIG_UNREADABLE: failure(400, 2, 'The config file cannot be read (missing, a folder, no access)'),
  CMP_ERR_CONFIG_YAML: failure(400, 1, 'A config the CLI is to send is not YAML (or JSON)'),
  CMP_ERR_TOOLFORGE_CONFIG: failure(
    400,
    1,
    "The Toolforge environment's kubeconfig or config files are unusable",
  ),
  CMP_ERR_TOKEN_KEY: failure(400, 2, "The server's token key is missing, unreadable or not 32 bytes"),
  CMP_ERR_INVALID_DURATION: failure(422, 1, 'A duration (a timeout, a reminder interval) cannot be read'),
  CMP_ERR_USAGE: failure(400, 1, 'A command-line argument or option is invalid'),
  CMP_ERR_NO_TARGET: failure(
    400,
    1,
    'No components API to talk to: no usable URL and no Toolforge environment',
  ),
  CMP_ERR_NO_PLAN_SUPPORT: failure(400, 1, "The server is upstream's components-api, which makes no plans"),
  CMP_ERR_API: failure(400, 1, "The components API answered a 4xx (the status is the server's)"),
  CMP_ERR_CLIENT: failure(
    502,
    1,
    'The components API answered a 5xx, could not be reached or was unreadable',
  ),
  CMP_ERR_ABORTED: failure(400, 1, 'The user answered no to a confirmation'),
  CMP_ERR_PROMPT_EOF: failure(400, 1, 'Input ended while a confirmation was waiting for an answer'),
  CMP_ERR_NO_LOGS: failure(400, 1, 'There are no logs for this component or tool'),
  CMP_ERR_LOGS_AMBIGUOUS: failure(400, 1, 'Several tools have logs: --tool must choose one'),
  CMP_ERR_UP: failure(400, 1, "up's background service did not start"),

  // Config problems: the code of a Diagnostic (config/diagnostics.ts).
  CMP_ERR_CONFIG_YAML_SYNTAX: configError(
    'Not valid YAML (or JSON), or YAML a config cannot use (a key that is not text)',
  ),
  CMP_ERR_CONFIG_DUPLICATE_KEY: configError('A mapping has the same key twice'),
  CMP_ERR_CONFIG_TOO_DEEP: configError('The document nests deeper than any config can'),
  CMP_ERR_CONFIG_RECURSIVE_ALIAS: configError('A YAML alias refers to a node that contains it'),
  CMP_ERR_CONFIG_EMPTY: configError('The document is empty'),
  CMP_ERR_CONFIG_WRONG_TYPE: configError(
    'A value has the wrong type (a string for a number, a list for a map)',
  ),
  CMP_ERR_CONFIG_INVALID_VALUE: configError('A value of the right type that is not allowed there'),
  CMP_ERR_CONFIG_FIELD_REQUIRED: configError('A required field is missing'),
  CMP_ERR_CONFIG_WRONG_DIALECT: configError("A field is spelt in the other dialect's way"),
  CMP_ERR_CONFIG_FIELD_NOT_APPLICABLE: configError('A field that a one-off component cannot have'),
  CMP_ERR_CONFIG_FIELD_CONFLICT: configError('Fields that cannot be set together, or one that needs another'),
  CMP_ERR_CONFIG_INVALID_NAME: configError('A component name that jobs-api does not accept'),
  CMP_ERR_CONFIG_INVALID_REPOSITORY: configError('A repository that is neither a usable URL nor a path'),
  CMP_ERR_CONFIG_INVALID_SCHEDULE: configError('A cron schedule that jobs-api would not run'),
  CMP_ERR_CONFIG_UNKNOWN_REFERENCE: configError('wait-for or reuse-from names a component the config lacks'),
  CMP_ERR_CONFIG_SELF_REFERENCE: configError('A component waits for itself or reuses its own build'),
  CMP_ERR_CONFIG_CHAINED_REUSE: configError('reuse-from names a component that itself reuses a build'),
  CMP_ERR_CONFIG_DEPENDENCY_CYCLE: configError(
    'wait-for and reuse-from make components depend on each other',
  ),
  CMP_ERR_CONFIG_TOO_MANY_PROBLEMS: configError(
    'More problems were found than are reported, errors among them',
  ),
  CMP_WARN_CONFIG_UNKNOWN_FIELD: configWarning(
    'A field that is not known, or does not apply here, is skipped',
  ),
  CMP_WARN_CONFIG_YAML: configWarning('The YAML parser warns about the text'),
  CMP_WARN_CONFIG_TYPE_REPLACED: configWarning('A component_type that contradicts the run is replaced'),
  CMP_WARN_CONFIG_DEPRECATED_VERSION: configWarning(
    'config_version v1beta1 is deprecated: the config was upgraded',
  ),
  CMP_WARN_CONFIG_DUPLICATE_ENTRY: configWarning('A wait-for entry is listed twice; the repeat is ignored'),
  CMP_WARN_CONFIG_SCHEDULE_NEVER_RUNS: configWarning('A valid cron schedule that matches no date'),
  CMP_WARN_CONFIG_TOO_MANY_PROBLEMS: configWarning(
    'More problems were found than are reported, all of them warnings',
  ),
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

type CodeOfKind<K extends ErrorKind> = {
  [C in ErrorCode]: (typeof ERRORS)[C]['kind'] extends K ? C : never;
}[ErrorCode];

/** The codes a UserError (and so the API's ApiError) can carry. */
export type FailureCode = CodeOfKind<'failure'>;
/** The code of an error Diagnostic. */
export type ConfigErrorCode = CodeOfKind<'config-error'>;
/** The code of a warning Diagnostic. */
export type ConfigWarningCode = CodeOfKind<'config-warning'>;

/**
 * The base of every error we show to a person. `message` is the one readable line the CLI prints and the API
 * puts in `messages.error`; `code` is registered above. `status` and `exitCode` are the registry's unless given:
 * only where one condition is answered differently by context (a server's own status passed on, a flag's
 * error exiting 2 as click's usage errors do).
 */
export class UserError extends Error {
  readonly code: FailureCode;
  readonly status: number;
  readonly exitCode: number;
  constructor(
    code: FailureCode,
    message: string,
    options?: { status?: number; exitCode?: number; cause?: unknown },
  ) {
    super(message, { cause: options?.cause });
    this.name = 'UserError';
    this.code = code;
    this.status = options?.status ?? ERRORS[code].status;
    this.exitCode = options?.exitCode ?? ERRORS[code].exitCode;
  }
}

/**
 * One plain sentence for a file that cannot be read (`config file x.yaml does not exist`), instead of an errno:
 * `what` names the file's role ("config file", "status file").
 */
export function unreadableFileMessage(what: string, path: string, error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  switch (code) {
    case 'ENOENT':
      return `${what} ${path} does not exist`;
    case 'EISDIR':
      return `${what} ${path} is a folder, not a file`;
    case 'EACCES':
    case 'EPERM':
      return `${what} ${path} cannot be read: permission denied`;
    case 'ENOTDIR':
      return `${what} ${path} does not exist (a part of its path is not a folder)`;
    default:
      return `${what} ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}
