/**
 * A parsed config document before validation: maps, sequences and scalars, each with the offset where it starts
 * in the source text (absent for values that did not come from text). The YAML and JSON readers and the plain
 * JS value reader all produce this tree, so the validator has one input shape and one way to locate problems.
 */

export type ScalarValue = string | number | boolean | null;

export interface SourceScalar {
  readonly kind: 'scalar';
  readonly value: ScalarValue;
  readonly offset?: number;
}

export interface SourceEntry {
  readonly key: string;
  readonly keyOffset?: number;
  readonly value: SourceNode;
}

export interface SourceMap {
  readonly kind: 'map';
  /** In source order; keys are unique (readers report and drop duplicates). */
  readonly entries: readonly SourceEntry[];
  readonly offset?: number;
}

export interface SourceSeq {
  readonly kind: 'seq';
  readonly items: readonly SourceNode[];
  readonly offset?: number;
}

export type SourceNode = SourceScalar | SourceMap | SourceSeq;

/** What a type error calls the value it found. */
export function describeNode(node: SourceNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'null';
  return `${typeof node.value} ${JSON.stringify(node.value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The tree of an already-parsed JSON value (an API body). Keys whose value is `undefined` are absent, as in
 * JSON.stringify; anything JSON cannot express (functions, dates, bigints) becomes its string form, which the
 * validator then rejects where a number or boolean was expected. Without source text, "offsets" are the
 * nodes' order of appearance: they never become line:column, but keep diagnostics in document order (upstream
 * reports unknown fields in the order of the request JSON).
 */
export function sourceFromValue(value: unknown): SourceNode {
  let order = 0;
  const visit = (item: unknown): SourceNode => {
    const offset = order++;
    if (Array.isArray(item)) return { kind: 'seq', items: item.map(visit), offset };
    if (isPlainObject(item)) {
      const entries: SourceEntry[] = [];
      for (const key of Object.keys(item)) {
        const child = item[key];
        if (child !== undefined) entries.push({ key, keyOffset: order++, value: visit(child) });
      }
      return { kind: 'map', entries, offset };
    }
    if (item === null || item === undefined) return { kind: 'scalar', value: null, offset };
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
      return { kind: 'scalar', value: item, offset };
    }
    return { kind: 'scalar', value: String(item), offset };
  };
  return visit(value);
}
