/** Building blocks of the wire schemas: enums from the model's `as const` vocabularies, tagged objects. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** One of `values` (a union of literals: TypeBox checks it and `Static` is the literal type). */
export function OneOf<const T extends readonly string[]>(values: T, description?: string) {
  const literals = values.map((v: T[number]) => Type.Literal(v));
  return Type.Union(literals, description ? { description } : {});
}

/** One member of a union told apart by its `kind`. */
export const Tagged = <const K extends string, P extends Record<string, TSchema>>(kind: K, fields: P) =>
  Type.Object({ kind: Type.Literal(kind), ...fields });

/**
 * A tool config document as the client wrote it (JSON or YAML read as JSON, upgraded to v1beta2 on the way
 * out): kept whole, whatever fields it has, so a newer dialect's fields are never dropped on the way through.
 */
export const ToolConfigDocument = Type.Unknown({
  description: 'A tool config (an object: `config_version`, `components`, …), exactly as stored',
});

/**
 * An array whose `Static` type is a readonly array, so the model's readonly lists fit the contract as they are.
 * The schema stays TypeBox's own array (its `Kind` is kept), so TypeBox checks it like any other.
 */
export const List = <T extends TSchema>(items: T, options: { description?: string } = {}) =>
  Type.Unsafe<readonly Static<T>[]>(Type.Array(items, options));

/**
 * `{ key: value }` when the value is set, else nothing: spread into a document so that an unset field is left
 * out, never written as `undefined` (the contract's optional fields are absent, not null).
 */
export function field<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}
