/**
 * The common path of reading config text: js-yaml (JSON is YAML) turns it into a plain value several times faster
 * than the `yaml` library builds its document nodes, but without positions. The loader therefore only trusts
 * this path for text it can accept without a word to say; as soon as there is anything to report (a syntax
 * error, a duplicate key, a warning) it reads the text again with the `yaml` library (read-yaml.ts), which
 * places every diagnostic at its line:column. So this reader never reports anything itself: it returns the
 * value and its source tree (without offsets), or undefined for "let the positioned reader decide".
 *
 * It returns undefined, too, for documents whose reading read-yaml.ts defines and js-yaml would read otherwise:
 * aliases to collections (js-yaml shares one object between the anchor and every alias, so a recursive alias is
 * a cycle and an alias bomb a small graph that would only explode later, when walked or serialised; read-yaml
 * reads them without expanding, and reports a recursive one), merge keys (`<<` order rules), `%` directives (a
 * `%YAML 1.1` document has other booleans), integer keys (a JS object lists them first, not in source order:
 * `components: {b: …, 1: …}` would change the components' order) and nesting deeper than MAX_CONFIG_DEPTH.
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { MAX_CONFIG_DEPTH } from './nesting.js';
import { flowDepthBeyond, MAX_FLOW_DEPTH } from './read-yaml.js';
import type { ScalarValue, SourceEntry, SourceNode } from './source-tree.js';

/**
 * The `yaml` library's YAML 1.2 core schema, which read-yaml.ts resolves scalars with. js-yaml's own core
 * schema is close but also reads `0b101` and `1_000` as numbers (and its default schema adds timestamps as
 * Date objects); these types accept exactly what `yaml` accepts, and construct the same numbers.
 */
const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && /^(?:~|[Nn]ull|NULL)?$/.test(data),
  construct: () => null,
});

const bool = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(data),
  construct: (data: string) => data[0] === 't' || data[0] === 'T',
});

const INT_PATTERNS: ReadonlyArray<readonly [RegExp, number, number]> = [
  [/^0o[0-7]+$/, 2, 8],
  [/^[-+]?[0-9]+$/, 0, 10],
  [/^0x[0-9a-fA-F]+$/, 2, 16],
];

/** Whether a plain scalar can be a number at all: js-yaml asks every type about every scalar, names included. */
function numberLike(data: unknown): data is string {
  if (typeof data !== 'string') return false;
  const c = data.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e; // 0-9 + - .
}

const int = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) => numberLike(data) && INT_PATTERNS.some(([pattern]) => pattern.test(data)),
  construct: (data: string) => {
    const [, skip, radix] = INT_PATTERNS.find(([pattern]) => pattern.test(data)) ?? [undefined, 0, 10];
    return parseInt(data.substring(skip), radix);
  },
});

const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

const float = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: unknown) => numberLike(data) && (SPECIAL_FLOAT.test(data) || FLOAT.test(data)),
  construct: (data: string) => {
    if (!SPECIAL_FLOAT.test(data)) return parseFloat(data);
    if (data.slice(-3).toLowerCase() === 'nan') return NaN;
    return data.startsWith('-') ? -Infinity : Infinity;
  },
});

/** Order as in `yaml`'s core schema: null and booleans first, then integers before floats. */
const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [nullType, bool, int, float] });

const MERGE_KEY = '<<';

export interface QuickRead {
  /** What js-yaml read: plain objects, arrays and scalars, as `yaml.parse` returns them for the same text. */
  readonly value: unknown;
  /** The same as a source tree without offsets (there is nothing to place on this path). */
  readonly tree: SourceNode;
}

/** The value and tree of a config text, or undefined when read-yaml.ts must read it (see the file comment). */
export function readQuick(text: string): QuickRead | undefined {
  // Deep flow nesting would take js-yaml's recursion towards the stack limit; directives change the schema.
  if (flowDepthBeyond(text, MAX_FLOW_DEPTH) !== -1 || /^%/m.test(text)) return undefined;
  let value: unknown;
  try {
    value = load(text, { schema: CORE_SCHEMA });
  } catch {
    return undefined; // a syntax error, a duplicate key, an unknown tag: read-yaml.ts reports it in place
  }
  // Without an anchor there is no alias, so no object can be reached twice: no need to remember them.
  const tree = treeOf(value, text.includes('&') ? new Set() : undefined, 0);
  return tree && { value, tree };
}

/** A key a JS object orders before the others, whatever its place in the text. */
function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 && /^(?:0|[1-9][0-9]*)$/.test(key);
}

/**
 * The source tree of a js-yaml value, or undefined when a collection is reached twice (an alias to it, or a
 * cycle), a mapping has a merge key or an integer key, or anything nests deeper than MAX_CONFIG_DEPTH. It
 * recurses at most that deep and stops at the first object seen twice, so it is linear on any js-yaml value.
 */
function treeOf(value: unknown, seen: Set<object> | undefined, depth: number): SourceNode | undefined {
  if (value === null || typeof value !== 'object') return { kind: 'scalar', value: value as ScalarValue };
  if (seen?.has(value) || depth > MAX_CONFIG_DEPTH) return undefined;
  seen?.add(value);
  if (Array.isArray(value)) {
    const items: SourceNode[] = [];
    for (const item of value as unknown[]) {
      const node = treeOf(item, seen, depth + 1);
      if (!node) return undefined;
      items.push(node);
    }
    return { kind: 'seq', items };
  }
  const map = value as Record<string, unknown>;
  const entries: SourceEntry[] = [];
  for (const key of Object.keys(map)) {
    if (key === MERGE_KEY || isIndexKey(key)) return undefined;
    const node = treeOf(map[key], seen, depth + 1);
    if (!node) return undefined;
    entries.push({ key, value: node });
  }
  return { kind: 'map', entries };
}
