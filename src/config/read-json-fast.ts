/**
 * A fast reader for JSON text (API bodies, generated configs), which is YAML the `yaml` library reads slowly.
 * Strict RFC 8259: anything else (syntax errors, duplicate keys, deep nesting, a top level that is not an
 * object) makes it give up and return undefined, and the caller falls back to the `yaml` library, which also
 * reports the errors with positions. For what it accepts it produces the same tree, offsets included, as
 * read-yaml.ts (read-json-fast.test.ts checks that).
 */
import { MAX_CONFIG_DEPTH } from './nesting.js';
import type { SourceEntry, SourceNode } from './source-tree.js';

class GiveUp extends Error {}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;
// JSON strings may not hold raw control characters (U+0000–U+001F), hence the ranges below.
// eslint-disable-next-line no-control-regex
const PLAIN_STRING = /"[^"\\\u0000-\u001f]*"/y;
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

export function readJsonFast(text: string): SourceNode | undefined {
  const reader = new JsonReader(text);
  try {
    reader.skipSpace();
    if (text[reader.at] !== '{') return undefined;
    const root = reader.value(0);
    reader.skipSpace();
    return reader.at === text.length ? root : undefined;
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

class JsonReader {
  at = 0;

  constructor(private readonly text: string) {}

  skipSpace(): void {
    const text = this.text;
    for (
      let c = text.charCodeAt(this.at);
      c === 32 || c === 10 || c === 13 || c === 9;
      c = text.charCodeAt(this.at)
    ) {
      this.at++;
    }
  }

  value(depth: number): SourceNode {
    if (depth > MAX_CONFIG_DEPTH) throw new GiveUp();
    const offset = this.at;
    const c = this.text[offset];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return { kind: 'scalar', value: this.string(), offset };
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, offset)) {
        this.at += word.length;
        return { kind: 'scalar', value, offset };
      }
    }
    NUMBER.lastIndex = offset;
    const match = NUMBER.exec(this.text);
    if (!match || match[0] === '-0') throw new GiveUp();
    this.at += match[0].length;
    return { kind: 'scalar', value: Number(match[0]), offset };
  }

  private object(depth: number): SourceNode {
    const offset = this.at++;
    const entries: SourceEntry[] = [];
    const keys = new Set<string>();
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return { kind: 'map', entries, offset };
    }
    for (;;) {
      this.skipSpace();
      const keyOffset = this.at;
      if (this.text[keyOffset] !== '"') throw new GiveUp();
      const key = this.string();
      if (keys.has(key)) throw new GiveUp(); // the yaml library reports it with its position
      keys.add(key);
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      entries.push({ key, keyOffset, value: this.value(depth + 1) });
      if (this.endOfList('}')) return { kind: 'map', entries, offset };
    }
  }

  private array(depth: number): SourceNode {
    const offset = this.at++;
    const items: SourceNode[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return { kind: 'seq', items, offset };
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value(depth + 1));
      if (this.endOfList(']')) return { kind: 'seq', items, offset };
    }
  }

  /** After an item: `,` (more follow) or the closing bracket (true). */
  private endOfList(close: string): boolean {
    this.skipSpace();
    const c = this.text[this.at++];
    if (c === close) return true;
    if (c === ',') return false;
    throw new GiveUp();
  }

  private expect(char: string): void {
    if (this.text[this.at++] !== char) throw new GiveUp();
  }

  private string(): string {
    PLAIN_STRING.lastIndex = this.at;
    const plain = PLAIN_STRING.exec(this.text);
    if (plain) {
      this.at += plain[0].length;
      return plain[0].slice(1, -1);
    }
    STRING.lastIndex = this.at;
    const escaped = STRING.exec(this.text);
    if (!escaped) throw new GiveUp();
    this.at += escaped[0].length;
    return JSON.parse(escaped[0]) as string;
  }
}

const LITERALS: ReadonlyArray<readonly [string, boolean | null]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
