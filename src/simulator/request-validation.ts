/**
 * Request validation as the real services do it, driven by the wire contract (`../wire/`):
 * - jobs-api (FastAPI + pydantic): a body that does not fit the model of its `job_type` is 422 `{detail: […]}`
 *   with pydantic's error types and texts, extra fields are forbidden; then semantic checks answer 400
 *   `{error: […]}` (job name, cron text, HTTP check without port) with jobs-api's own texts.
 * - builds-api: a body that does not fit `BuildParameters` is 400 with its `ResponseMessages` shape.
 */
import { Cron } from 'croner';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { BuildParameters } from '../runtimes/toolforge/wire/builds-api.js';
import {
  JOB_NAME_MAX_LENGTH,
  JOB_NAME_PATTERN,
  NEW_JOB_MODELS,
  type ValidationErrorBodyT,
  type WireJobType,
} from '../runtimes/toolforge/wire/jobs-api.js';
import { describeWireError, propertyNames, wireErrors } from '../runtimes/toolforge/wire/schema.js';
import { isObject } from '../support/is-object.js';

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: number; readonly body: Record<string, unknown> };

export const INVALID_JOB_NAME =
  'Invalid job name. See the documentation for the naming rules: https://w.wiki/6YL8';
const JOB_NAME = new RegExp(JOB_NAME_PATTERN);
const CRON_MACROS = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
  '@reboot',
];

/** jobs-api's job_type_validator: the declared type, else inferred from the legacy fields. */
function jobTypeOf(body: Record<string, unknown>): WireJobType | undefined {
  if (body.job_type === undefined) {
    if (body.continuous === true) return 'continuous';
    return typeof body.schedule === 'string' ? 'scheduled' : 'one-off';
  }
  return body.job_type === 'continuous' || body.job_type === 'scheduled' || body.job_type === 'one-off'
    ? body.job_type
    : undefined;
}

type PydanticError = ValidationErrorBodyT['detail'][number];

/** ajv error → the closest pydantic v2 error (type and message) jobs-api would give. */
function pydanticError(error: ErrorObject, body: Record<string, unknown>): PydanticError {
  const path = error.instancePath.split('/').filter((p) => p !== '');
  let input: unknown = body;
  for (const key of path) input = isObject(input) ? input[key] : undefined;
  const params = error.params as {
    limit?: number;
    type?: string | string[];
    allowedValues?: unknown[];
    missingProperty?: string;
  };
  const loc = ['body', ...path];
  switch (error.keyword) {
    case 'required':
      return { type: 'missing', loc: [...loc, String(params.missingProperty)], msg: 'Field required', input };
    case 'maximum':
      return {
        type: 'less_than_equal',
        loc,
        msg: `Input should be less than or equal to ${params.limit}`,
        input,
      };
    case 'minimum':
      return {
        type: 'greater_than_equal',
        loc,
        msg: `Input should be greater than or equal to ${params.limit}`,
        input,
      };
    case 'enum': {
      const values = (params.allowedValues ?? []).map((v) => `'${String(v)}'`);
      const text =
        values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : (values[0] ?? '');
      return { type: 'enum', loc, msg: `Input should be ${text}`, input };
    }
    case 'type': {
      const type = Array.isArray(params.type) ? params.type[0] : params.type;
      const name =
        type === 'integer' ? 'a valid integer' : type === 'boolean' ? 'a valid boolean' : `a valid ${type}`;
      return {
        type: `${type === 'integer' ? 'int' : type === 'boolean' ? 'bool' : type}_type`,
        loc,
        msg: `Input should be ${name}`,
        input,
      };
    }
    default:
      return { type: error.keyword, loc, msg: describeWireError(error), input };
  }
}

function unprocessable(detail: PydanticError[]): ValidationResult<never> {
  return { ok: false, status: 422, body: { detail } };
}

function badRequest(message: string): ValidationResult<never> {
  return { ok: false, status: 400, body: { error: [message] } };
}

export function cronError(schedule: string): string | undefined {
  const text = schedule.trim();
  if (CRON_MACROS.includes(text)) return undefined;
  const fields = text.split(/\s+/).filter((f) => f !== '').length;
  const prefix = `Unable to parse cron expression "${schedule}"`;
  if (fields !== 5) {
    return `${prefix} (${prefix}: Expected to find 5 space-separated values, found ${fields})`;
  }
  try {
    new Cron(text, { paused: true });
    return undefined;
  } catch (error) {
    return `${prefix} (${prefix}: ${(error as Error).message})`;
  }
}

function pyRepr(body: Record<string, unknown>): string {
  const text = `{${Object.entries(body)
    .map(([k, v]) => `'${k}': ${typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}`)
    .join(', ')}}`;
  return text.length > 50 ? `${text.slice(0, 24)}...${text.slice(-22)}` : text;
}

/** Structural errors of `raw` against its model, as pydantic reports them. */
function modelErrors(type: WireJobType, raw: Record<string, unknown>): PydanticError[] {
  const model = NEW_JOB_MODELS[type];
  const detail: PydanticError[] = [];
  // Keep one error per field: a nullable or union field fails each of its branches.
  const seen = new Set<string>();
  for (const error of wireErrors(model, raw)) {
    // The name's pattern is checked after parsing (400 below), like jobs-api does.
    if (error.instancePath === '/name' && (error.keyword === 'pattern' || error.keyword === 'maxLength'))
      continue;
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const entry = pydanticError(error, raw);
    const key = entry.loc.join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    detail.push(entry);
  }
  const allowed = propertyNames(model);
  for (const [key, value] of Object.entries(raw)) {
    if (allowed.has(key)) continue;
    detail.push({
      type: 'extra_forbidden',
      loc: ['body', key],
      msg: 'Extra inputs are not permitted',
      input: value,
    });
  }
  return detail;
}

export function validateJobBody(
  raw: unknown,
  tool: string,
): ValidationResult<{ type: WireJobType; body: Record<string, unknown> }> {
  if (!isObject(raw)) {
    return unprocessable([
      { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary', input: raw },
    ]);
  }
  const type = jobTypeOf(raw);
  if (type === undefined) {
    return unprocessable([
      {
        type: 'literal_error',
        loc: ['body', 'job_type'],
        msg: "Input should be 'one-off', 'scheduled' or 'continuous'",
        input: raw.job_type,
      },
    ]);
  }
  const detail = modelErrors(type, raw);
  if (detail.length > 0) return unprocessable(detail);

  const name = String(raw.name);
  if (!JOB_NAME.test(name) || name.length > JOB_NAME_MAX_LENGTH) return badRequest(INVALID_JOB_NAME);
  if (type === 'scheduled') {
    const error = cronError(String(raw.schedule));
    if (error) return badRequest(error);
  }
  const check = raw.health_check;
  if (isObject(check) && check.type === 'http' && (raw.port === undefined || raw.port === null)) {
    const input = pyRepr({ ...raw, tool_name: tool });
    return badRequest(
      `1 validation error for ContinuousJob\n  Value error, Port must be set for HTTP health checks [type=value_error, input_value=${input}, input_type=dict]`,
    );
  }
  return { ok: true, value: { type, body: raw } };
}

export function validateBuildBody(raw: unknown): ValidationResult<Record<string, unknown>> {
  if (!isObject(raw)) {
    return { ok: false, status: 400, body: { error: ['Invalid build parameters: body: must be an object'] } };
  }
  const errors = wireErrors(BuildParameters, raw);
  if (errors.length > 0) {
    const reasons = errors.map(describeWireError);
    return { ok: false, status: 400, body: { error: [`Invalid build parameters: ${reasons.join(', ')}`] } };
  }
  if (typeof raw.source_url !== 'string' || raw.source_url.trim() === '') {
    return {
      ok: false,
      status: 400,
      body: { error: ['Invalid build parameters: source_url must not be empty'] },
    };
  }
  return { ok: true, value: raw };
}
