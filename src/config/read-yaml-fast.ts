/**
 * A fast reader for the plain block YAML that configs are almost always written in: block mappings and
 * sequences, plain and simple quoted scalars, one-line flow lists of plain names (`wait-for: [a, b]`), comments.
 * It exists because the `yaml` library reads about 1 MB/s (seconds for a 100 000-component file), and this
 * subset can be read line by line. It never guesses: anything outside the subset (anchors, tags, block scalars,
 * multi-line scalars, escapes, flow mappings, duplicate keys, odd indentation, unusual numbers) makes it give up
 * and return undefined, and the caller reads the text with the `yaml` library instead, which also reports the
 * errors. For what it accepts it produces exactly the tree (values and offsets) that read-yaml.ts produces;
 * read-yaml-fast.test.ts checks that on a corpus.
 */
import { MAX_CONFIG_DEPTH } from './nesting.js';
import type { ScalarValue, SourceEntry, SourceNode } from './source-tree.js';

interface Line {
  readonly indent: number;
  /** Offset of the first non-space character. */
  readonly start: number;
  /** The line without indentation and without the line break (trailing spaces kept: they shift offsets). */
  readonly text: string;
}

class GiveUp extends Error {}

const giveUp = (): never => {
  throw new GiveUp();
};

/** Characters a plain scalar may not start with (YAML indicators), plus the quote and flow starts we special-case. */
const INDICATORS = new Set([...'-?:,[]{}#&*!|>\'"%@`']);
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const OTHER_NUMBER = /^(?:0[oxOX]|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$)/;
const NULL = /^(?:~|null|Null|NULL)$/;
const TRUE = /^(?:true|True|TRUE)$/;
const FALSE = /^(?:false|False|FALSE)$/;

export function readYamlFast(text: string): SourceNode | undefined {
  try {
    const lines = splitLines(text);
    if (lines.length === 0) return undefined;
    const reader = new BlockReader(lines);
    const root = reader.block(lines[0]?.indent ?? 0);
    return reader.done() ? root : undefined;
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

function splitLines(text: string): Line[] {
  if (text.charCodeAt(0) === 0xfeff || text.includes('\t') || text.includes('\r')) giveUp();
  const lines: Line[] = [];
  let first = true;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let indent = 0;
    while (text.charCodeAt(start + indent) === 32) indent++;
    const body = text.slice(start + indent, end);
    if (body.trim() !== '' && !body.startsWith('#')) {
      if (first && indent === 0 && body.trimEnd() === '---') first = false;
      else {
        if (body.startsWith('---') || body.startsWith('...') || body.startsWith('%')) giveUp();
        lines.push({ indent, start: start + indent, text: body });
        first = false;
      }
    }
    start = end + 1;
  }
  return lines;
}

class BlockReader {
  private at = 0;
  /** Nesting of the block being read: the reader recurses per level, so deep documents go to the library. */
  private depth = 0;

  constructor(private readonly lines: readonly Line[]) {}

  done(): boolean {
    return this.at === this.lines.length;
  }

  block(indent: number): SourceNode {
    const line = this.peek();
    if (!line || line.indent !== indent || this.depth >= MAX_CONFIG_DEPTH) return giveUp();
    this.depth++;
    const node = isSeqItem(line.text) ? this.seq(indent) : this.map(indent);
    this.depth--;
    return node;
  }

  private peek(): Line | undefined {
    return this.lines[this.at];
  }

  private map(indent: number): SourceNode {
    const entries: SourceEntry[] = [];
    const keys = new Set<string>();
    const offset = this.peek()?.start;
    for (
      let line = this.peek();
      line && line.indent === indent && !isSeqItem(line.text);
      line = this.peek()
    ) {
      this.at++;
      const colon = keySeparator(line.text);
      if (colon <= 0) giveUp();
      const keyText = line.text.slice(0, colon);
      if (keyText.endsWith(' ') || INDICATORS.has(keyText[0] ?? '') || keyText.includes(' #')) giveUp();
      const key = String(resolvePlain(keyText) ?? '');
      if (key === '<<' || keys.has(key)) giveUp();
      keys.add(key);
      const value = this.mapValue(line, colon, indent);
      entries.push({ key, keyOffset: line.start, value });
    }
    this.checkDedent(indent);
    return { kind: 'map', entries, offset };
  }

  private mapValue(line: Line, colon: number, indent: number): SourceNode {
    let valueStart = colon + 1;
    while (line.text.charCodeAt(valueStart) === 32) valueStart++;
    const rest = line.text.slice(valueStart);
    if (rest !== '' && !rest.startsWith('#')) {
      const value = inlineValue(rest, line.start + valueStart);
      const next = this.peek();
      if (next && next.indent > indent) giveUp(); // a continuation line: multi-line scalar or bad nesting
      return value;
    }
    const next = this.peek();
    if (next && next.indent > indent) return this.block(next.indent);
    if (next && next.indent === indent && isSeqItem(next.text)) return this.seq(indent);
    return { kind: 'scalar', value: null, offset: line.start + valueStart };
  }

  private seq(indent: number): SourceNode {
    const items: SourceNode[] = [];
    const offset = this.peek()?.start;
    for (let line = this.peek(); line && line.indent === indent && isSeqItem(line.text); line = this.peek()) {
      this.at++;
      let itemStart = 1;
      while (line.text.charCodeAt(itemStart) === 32) itemStart++;
      const rest = line.text.slice(itemStart);
      if (rest === '' || rest.startsWith('#') || keySeparator(rest) !== -1) giveUp();
      items.push(inlineValue(rest, line.start + itemStart));
      const next = this.peek();
      if (next && next.indent > indent) giveUp();
    }
    this.checkDedent(indent);
    return { kind: 'seq', items, offset };
  }

  /** After a block ends, the next line must belong to an enclosing block (less indented). */
  private checkDedent(indent: number): void {
    const next = this.peek();
    if (next && next.indent > indent) giveUp();
  }
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** Index of the `:` that ends a plain key (`key: value` or `key:`), or -1. Quoted keys are not handled. */
function keySeparator(text: string): number {
  const first = text[0];
  if (first === '"' || first === "'" || first === '[' || first === '{') return -1;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    const after = text.charCodeAt(i + 1);
    if (Number.isNaN(after) || after === 32) return i;
  }
  return -1;
}

/** A value on the same line as its key or dash, comment not yet removed. */
function inlineValue(text: string, offset: number): SourceNode {
  const first = text[0];
  if (first === '"' || first === "'") return { kind: 'scalar', value: quoted(text), offset };
  if (first === '[') return flowList(stripComment(text), offset);
  if (first === '{') {
    if (stripComment(text) !== '{}') giveUp();
    return { kind: 'map', entries: [], offset };
  }
  return { kind: 'scalar', value: plain(stripComment(text)), offset };
}

function stripComment(text: string): string {
  const hash = text.indexOf(' #');
  return (hash === -1 ? text : text.slice(0, hash)).trimEnd();
}

/** `"text"` without escapes or `'text'` with `''` for a quote, then nothing but an optional comment. */
function quoted(text: string): string {
  const quote = text[0] as string;
  let end = text.indexOf(quote, 1);
  if (quote === "'") while (end !== -1 && text[end + 1] === "'") end = text.indexOf("'", end + 2);
  if (end === -1) return giveUp();
  const rest = text.slice(end + 1).trimStart();
  if (rest !== '' && !(rest.startsWith('#') && text[end + 1] === ' ')) giveUp();
  const inner = text.slice(1, end);
  if (quote === '"') {
    if (inner.includes('\\')) giveUp();
    return inner;
  }
  return inner.replaceAll("''", "'");
}

/** `[a, b]`: plain items only (names), on one line. */
function flowList(text: string, offset: number): SourceNode {
  if (!text.endsWith(']')) return giveUp();
  const inner = text.slice(1, -1);
  const items: SourceNode[] = [];
  if (inner.trim() === '') return { kind: 'seq', items, offset };
  let at = 1;
  for (const raw of inner.split(',')) {
    const lead = raw.length - raw.trimStart().length;
    const item = raw.trim();
    if (item === '' || /[[\]{}'"#:]/.test(item) || INDICATORS.has(item[0] ?? '')) giveUp();
    items.push({ kind: 'scalar', value: resolvePlain(item), offset: offset + at + lead });
    at += raw.length + 1;
  }
  return { kind: 'seq', items, offset };
}

function plain(text: string): ScalarValue {
  if (text === '' || INDICATORS.has(text[0] ?? '') || text.endsWith(':') || text.includes(': ')) giveUp();
  return resolvePlain(text);
}

/** YAML 1.2 core schema, as the `yaml` library resolves it; rare number forms are left to the library. */
function resolvePlain(text: string): ScalarValue {
  if (NULL.test(text)) return null;
  if (TRUE.test(text)) return true;
  if (FALSE.test(text)) return false;
  if (OTHER_NUMBER.test(text)) return giveUp();
  if (INT.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : giveUp();
  }
  if (FLOAT.test(text)) return Number.parseFloat(text);
  return text;
}
