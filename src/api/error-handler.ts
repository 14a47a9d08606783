/**
 * Every failure → upstream's error envelope with the right status. Bad input is always a 4xx with a readable
 * message (never a stack trace); anything unexpected is logged and answered with a plain 500 message.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, apiError, validationError } from './api-errors.js';
import { errorBody } from './envelope.js';
import { UserError } from '../errors.js';
import { toUpstreamLoc } from './config-input.js';
import { receivedSuffix, valueAtPath } from './received-value.js';

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** ajv's wording → pydantic's, which upstream clients have seen (`input`: the value sent, if any). */
function describe(error: AjvError, input: { readonly value: unknown } | undefined): string {
  const p = error.params;
  const fromText = typeof input?.value === 'string';
  switch (error.keyword) {
    case 'required':
      return 'Field required';
    case 'type':
      return p.type === 'boolean'
        ? `Input should be a valid boolean${fromText ? ', unable to interpret input' : ''}`
        : p.type === 'integer'
          ? `Input should be a valid integer${fromText ? ', unable to parse string as an integer' : ''}`
          : `Input should be a valid ${String(p.type)}`;
    case 'minimum':
      return `Input should be greater than or equal to ${String(p.limit)}`;
    case 'maximum':
      return `Input should be less than or equal to ${String(p.limit)}`;
    case 'maxLength':
      return `String should have at most ${String(p.limit)} characters`;
    case 'minLength':
      return `String should have at least ${String(p.limit)} characters`;
    default:
      return error.message ?? error.keyword;
  }
}

/** The request part a schema validated (`querystring`, `body`, `params`, `headers`). */
function validatedPart(request: FastifyRequest, context: string | undefined): unknown {
  switch (context) {
    case 'querystring':
      return request.query;
    case 'params':
      return request.params;
    case 'headers':
      return request.headers;
    case 'body':
      return request.body;
    default:
      return undefined;
  }
}

function schemaValidationError(error: FastifyError, request: FastifyRequest): ApiError {
  const part = validatedPart(request, error.validationContext);
  return validationError(
    (error.validation as unknown as AjvError[]).map((e) => {
      const path = e.instancePath.split('/').filter(Boolean);
      // A missing field has no value of its own (upstream shows none for query and path parameters).
      const input = e.keyword === 'required' ? undefined : valueAtPath(part, path.join('.'));
      if (e.keyword === 'required' && typeof e.params.missingProperty === 'string')
        path.push(e.params.missingProperty);
      const received = input === undefined ? '' : receivedSuffix(input.value);
      return { loc: toUpstreamLoc(path.join('.')), message: `${describe(e, input)}${received}` };
    }),
  );
}

function toApiError(error: FastifyError, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  // Errors of the core a user can act on (a plan that cannot be made, …) keep their own status and message.
  if (error instanceof UserError && error.status < 500) {
    return new ApiError('CMP_ERR_VALIDATION', [error.message], {}, error.status);
  }
  if (error.validation) return schemaValidationError(error, request);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError('CMP_ERR_BODY_TOO_LARGE', String(error.message.match(/\d+/)?.[0] ?? 'the'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiError(
        'CMP_ERR_UNSUPPORTED_MEDIA_TYPE',
        error.message.replace(/^Unsupported Media Type:\s*/, ''),
      );
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('CMP_ERR_VALIDATION', [error.message], {}, error.statusCode);
  }
  return apiError('CMP_ERR_INTERNAL');
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = toApiError(error, request);
  if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.status(mapped.status).headers(mapped.headers).send(errorBody(mapped.messages));
}
