/**
 * Reading a wire document against its contract: TypeBox's compiled checker (compiled once per schema), and
 * the first mismatch as one readable phrase (`data.builds.web.build_status is "bogus", expected one of …`) for
 * the reader to put in its own error. Fields a schema does not list are allowed: newer writers add fields
 * (docs/plan-json.md#versioning) and readers ignore them.
 */
import { Kind, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/value';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerOf<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
}

export type WireReading<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const MAX_SHOWN = 60;

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return `${text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text}`;
}

interface Member {
  readonly const?: unknown;
  readonly properties?: { readonly kind?: { readonly const?: unknown } };
}

/** What a union expects, in words: its literals (an enum), or the kinds of its objects (a tagged union). */
function unionExpectation(schema: TSchema): string | undefined {
  const members: unknown = (schema as { anyOf?: unknown }).anyOf;
  if (schema[Kind] !== 'Union' || !Array.isArray(members)) return undefined;
  const values = (members as Member[]).map((m) => m.const);
  if (values.every((v) => typeof v === 'string')) return `one of ${values.join(', ')}`;
  const kinds = (members as Member[]).map((m) => m.properties?.kind?.const);
  if (kinds.every((k) => typeof k === 'string')) return `an object whose kind is one of ${kinds.join(', ')}`;
  return undefined;
}

function describe(error: ValueError, root: string): string {
  const path = [root, ...error.path.split('/').filter((p) => p !== '')].filter((p) => p !== '').join('.');
  const where = path === '' ? 'the document' : path;
  const expected = unionExpectation(error.schema) ?? error.message.replace(/^Expected /, '');
  if (error.value === undefined) return `${where} is missing`;
  return `${where} is ${shown(error.value)}, expected ${expected}`;
}

/**
 * `value` as the contract's type, or the first way it breaks the contract. `root` names the document in the
 * problem's path (`data` for an envelope's payload).
 */
export function readWire<T extends TSchema>(schema: T, value: unknown, root = ''): WireReading<Static<T>> {
  const check = checkerOf(schema);
  if (check.Check(value)) return { ok: true, value };
  const first = check.Errors(value).First();
  return { ok: false, problem: first ? describe(first, root) : 'does not fit' };
}
