/**
 * Building blocks of the builds-api / jobs-api wire contract (`builds-api.ts`, `jobs-api.ts`) and the one
 * validator every user of the contract shares: the runtime's decoder (keep what fits, drop what does not) and
 * the simulator (refuse a request that does not fit).
 *
 * The schemas are TypeBox, so `Static<…>` gives their TypeScript types, but enums and nullable fields are
 * written as plain JSON Schema (`{type: 'string', enum}`, `{type: ['integer', 'null']}`), the way the services'
 * OpenAPI documents spell them: ajv reports the same errors the services' own validators do, and the
 * conformance test (test/conformance/) can compare them with those documents keyword by keyword.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

/** A string that is one of `values` (JSON Schema `enum`). */
export function StringEnum<const T extends string>(
  values: readonly T[],
  options: { description?: string; default?: T } = {},
) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

type Primitive = 'string' | 'integer' | 'boolean';
type PrimitiveType<P extends Primitive> = P extends 'string'
  ? string
  : P extends 'integer'
    ? number
    : boolean;

/** A primitive that may also be `null` (`{type: ['integer', 'null'], minimum: 1}`). */
export function Nullable<P extends Primitive>(type: P, options: Record<string, unknown> = {}) {
  return Type.Unsafe<PrimitiveType<P> | null>({ type: [type, 'null'], ...options });
}

/** One of several object shapes, or `null` (jobs-api's `health_check`). */
export function NullableOneOf<const T extends readonly TSchema[]>(members: T, description?: string) {
  return Type.Unsafe<Static<T[number]> | null>({
    anyOf: [...members, { type: 'null' }],
    ...(description ? { description } : {}),
  });
}

/** Lists of messages by priority; every list may be missing (`exclude_unset` answers). */
export const ResponseMessages = Type.Object({
  info: Type.Optional(Type.Array(Type.String())),
  warning: Type.Optional(Type.Array(Type.String())),
  error: Type.Optional(Type.Array(Type.String())),
});

// `discriminator`, `example` and friends are annotations, not assertions: never fail on them.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** The compiled validator of a contract schema (compiled once). */
function validatorOf(schema: TSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** The errors of `value` against `schema` (empty when it fits). */
export function wireErrors(schema: TSchema, value: unknown): ErrorObject[] {
  const validate = validatorOf(schema);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** The property names an object schema allows (the services forbid the rest on requests). */
export function propertyNames(schema: TSchema): ReadonlySet<string> {
  return new Set(Object.keys((schema as { properties?: object }).properties ?? {}));
}

/** ajv error → `field: message` (the field path without the leading slash). */
export function describeWireError(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing =
    error.keyword === 'required'
      ? String((error.params as { missingProperty?: string }).missingProperty)
      : '';
  const field = [path, missing].filter((p) => p !== '').join('.');
  return field ? `${field}: ${error.message ?? 'invalid'}` : (error.message ?? 'invalid');
}

/**
 * Tolerant reading of an answer: the value checked against its schema, with every part that does not fit
 * left out. `get('status', 'short')` is undefined when that field is missing, or it, a part of it or a field
 * containing it broke the contract; a missing required field is not an error here (older servers omit fields).
 */
export class WireReader {
  readonly #raw: unknown;
  readonly #broken: readonly string[];

  constructor(schema: TSchema, raw: unknown) {
    this.#raw = raw;
    this.#broken = wireErrors(schema, raw)
      .filter((e) => e.keyword !== 'required')
      .map((e) => `${e.instancePath}/`);
  }

  get(...path: string[]): unknown {
    if (this.#broken.length > 0) {
      const pointer = `/${path.join('/')}/`;
      // An error at the field, inside it, or at a containing field (`/status/` breaks `/status/short/`).
      if (this.#broken.some((b) => b.startsWith(pointer) || pointer.startsWith(b))) return undefined;
    }
    let value: unknown = this.#raw;
    for (const key of path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  }

  string(...path: string[]): string | undefined {
    const value = this.get(...path);
    return typeof value === 'string' ? value : undefined;
  }

  number(...path: string[]): number | undefined {
    const value = this.get(...path);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }

  boolean(...path: string[]): boolean | undefined {
    const value = this.get(...path);
    return typeof value === 'boolean' ? value : undefined;
  }

  strings(...path: string[]): string[] {
    const value = this.get(...path);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }
}
