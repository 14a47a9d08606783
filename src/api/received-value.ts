/**
 * Upstream's `. Received value: '<input>'` suffix of validation errors: `<input>` is Python's `str()` of the
 * value the client sent (strings as is, `True`/`None`, dicts and lists in Python's repr with single quotes).
 */

/** The value at a config path (`components.a.run[0]`) in a parsed document; undefined when absent. */
export function valueAtPath(root: unknown, path: string): { readonly value: unknown } | undefined {
  let node: unknown = root;
  let rest = path;
  while (rest !== '') {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index) {
      if (!Array.isArray(node) || Number(index[1]) >= node.length) return undefined;
      node = node[Number(index[1])];
      rest = rest.slice(index[0].length);
      continue;
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    const key = matchingKey(node as Record<string, unknown>, rest);
    if (key === undefined) return undefined;
    node = (node as Record<string, unknown>)[key];
    rest = rest.slice(key.length).replace(/^\./, '');
  }
  return { value: node };
}

/** The longest own key that the path starts with (keys may themselves contain `.`). */
function matchingKey(object: Record<string, unknown>, path: string): string | undefined {
  let best: string | undefined;
  for (const key of Object.keys(object)) {
    const next = path.charAt(key.length);
    if (path.startsWith(key) && (next === '' || next === '.' || next === '[')) {
      if (best === undefined || key.length > best.length) best = key;
    }
  }
  return best;
}

export function receivedSuffix(value: unknown): string {
  return `. Received value: '${pythonStr(value)}'`;
}

/** Python's `str()`: a top-level string as is, everything else as its repr. */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  // JSON integers are Python ints: all digits, never an exponent.
  if (Number.isInteger(value)) return BigInt(value).toString();
  // Python's float repr: the shortest round-trip digits, scientific below 1e-4 and from 1e16.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

// Characters Python's str.isprintable() refuses (other than the ASCII space), which repr escapes.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    if (char === '\\' || char === quote) out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (NON_PRINTABLE.test(char)) out += escapeCodePoint(char.codePointAt(0) ?? 0);
    else out += char;
  }
  return out + quote;
}

function escapeCodePoint(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}
