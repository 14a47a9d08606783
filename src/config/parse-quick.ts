/**
 * The common path of reading config text: js-yaml (JSON is YAML) turns it into a plain value several times faster
 * than the `yaml` library builds its document nodes, but without positions. The loader therefore only trusts
 * this path for text it can accept without a word to say; as soon as there is anything to report (a syntax
 * error, a duplicate key, a warning) it reads the text again with the `yaml` library (read-yaml.ts), which
 * places every diagnostic at its line:column. So this reader never reports anything itself: it returns the
 * value, or undefined for "let the positioned reader decide".
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

const int = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) =>
    typeof data === 'string' && INT_PATTERNS.some(([pattern]) => pattern.test(data)),
  construct: (data: string) => {
    const [, skip, radix] = INT_PATTERNS.find(([pattern]) => pattern.test(data)) ?? [undefined, 0, 10];
    return parseInt(data.substring(skip), radix);
  },
});

const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

const float = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && (SPECIAL_FLOAT.test(data) || FLOAT.test(data)),
  construct: (data: string) => {
    if (!SPECIAL_FLOAT.test(data)) return parseFloat(data);
    if (data.slice(-3).toLowerCase() === 'nan') return NaN;
    return data.startsWith('-') ? -Infinity : Infinity;
  },
});

/** Order as in `yaml`'s core schema: null and booleans first, then integers before floats. */
const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [nullType, bool, int, float] });

const MERGE_KEY = '<<';

/** The value of a config text, or undefined when read-yaml.ts must read it (see the file comment). */
export function parseQuick(text: string): unknown {
  // Deep flow nesting would take js-yaml's recursion towards the stack limit; directives change the schema.
  if (flowDepthBeyond(text, MAX_FLOW_DEPTH) !== -1 || /^%/m.test(text)) return undefined;
  let value: unknown;
  try {
    value = load(text, { schema: CORE_SCHEMA });
  } catch {
    return undefined; // a syntax error, a duplicate key, an unknown tag: read-yaml.ts reports it in place
  }
  return isPlainTree(value) ? value : undefined;
}

/** A key a JS object orders before the others, whatever its place in the text. */
function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 && /^(?:0|[1-9][0-9]*)$/.test(key);
}

/**
 * True when every collection in `value` is reached once (no alias to a collection, no cycle), no mapping has a
 * merge key or an integer key and nothing nests deeper than MAX_CONFIG_DEPTH. Iterative, and it stops at the first object seen
 * twice, so it is linear on any js-yaml value, cyclic or not.
 */
function isPlainTree(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop() as { readonly value: unknown; readonly depth: number };
    if (frame.value === null || typeof frame.value !== 'object') continue;
    if (seen.has(frame.value) || frame.depth > MAX_CONFIG_DEPTH) return false;
    seen.add(frame.value);
    const depth = frame.depth + 1;
    if (Array.isArray(frame.value)) {
      for (const item of frame.value as unknown[]) stack.push({ value: item, depth });
    } else {
      const map = frame.value as Record<string, unknown>;
      if (Object.hasOwn(map, MERGE_KEY)) return false;
      for (const key of Object.keys(map)) {
        if (isIndexKey(key)) return false;
        stack.push({ value: map[key], depth });
      }
    }
  }
  return true;
}
