/**
 * YAML (and therefore JSON) text → source tree with offsets, using the `yaml` library's document nodes.
 * Syntax errors and duplicate keys become error diagnostics with positions; the tree is only returned when
 * the text parsed cleanly, so that validation never reports consequences of a syntax error. Problems in the
 * tree itself (duplicate keys, non-string keys) are reported and the offending entry left out, and validation
 * still runs, so every problem is reported in one pass.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { DiagnosticSink } from './diagnostic-sink.js';
import type { ConfigErrorCode } from '../errors.js';
import { MAX_CONFIG_DEPTH, nestingCode, nestingMessage, shortenPath } from './nesting.js';
import { formatPath, type PathLink } from './path.js';
import type { ScalarValue, SourceEntry, SourceNode } from './source-tree.js';

/** The YAML 1.1 merge key: `<<: *defaults` copies the keys the mapping does not set itself. */
const MERGE_KEY = '<<';

/** Deeper flow nesting than any config needs; beyond it the library's recursion can crash V8 outright. */
export const MAX_FLOW_DEPTH = 500;

/** The `yaml` library catches its own stack overflow on deep nesting and reports it as a parse error. */
const LIBRARY_STACK_OVERFLOW = /Maximum call stack size exceeded/;

export function readYaml(text: string, sink: DiagnosticSink): SourceNode | undefined {
  const deep = flowDepthBeyond(text, MAX_FLOW_DEPTH);
  if (deep !== -1) {
    sink.error(
      'CMP_ERR_CONFIG_TOO_DEEP',
      '',
      `the config is nested too deeply to be read (more than ${MAX_FLOW_DEPTH} levels)`,
      deep,
    );
    return undefined;
  }
  // uniqueKeys off: the library's check scans all earlier keys (quadratic on a 100 000-component map); the
  // builder below finds duplicates with a Set instead.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  for (const warning of doc.warnings)
    sink.warning('CMP_WARN_CONFIG_YAML', '', warning.message, warning.pos[0]);
  let tooDeep = false;
  for (const error of doc.errors) {
    if (!LIBRARY_STACK_OVERFLOW.test(error.message))
      sink.error('CMP_ERR_CONFIG_YAML_SYNTAX', '', error.message, error.pos[0]);
    else if (!tooDeep) {
      // Once: the library reports the overflow again at every level it unwinds through.
      tooDeep = true;
      sink.error('CMP_ERR_CONFIG_TOO_DEEP', '', 'the config is nested too deeply to be read', error.pos[0]);
    }
  }
  if (doc.errors.length > 0) return undefined;
  if (doc.contents === null) return { kind: 'scalar', value: null, offset: 0 };
  const builder = new TreeBuilder(doc, sink);
  const root = builder.build(doc.contents, undefined, undefined, 0);
  // A recursive alias or a too deep document has no usable tree: validating what was built would only add
  // confusing consequences (missing fields) to the one error that matters.
  return builder.unreadable ? undefined : root;
}

class TreeBuilder {
  private readonly built = new Map<Node, SourceNode>();
  /** The collections being built, from the root down to the current node: an alias to one of them recurses. */
  private readonly ancestors = new Set<Node>();
  unreadable = false;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly sink: DiagnosticSink,
  ) {}

  build(
    node: Node | null,
    path: PathLink | undefined,
    fallbackOffset: number | undefined,
    depth: number,
  ): SourceNode {
    if (node === null) return { kind: 'scalar', value: null, offset: fallbackOffset };
    if (this.unreadable) return { kind: 'scalar', value: null, offset: fallbackOffset };
    if (isAlias(node)) return this.buildAlias(node, path, depth);
    const done = this.built.get(node);
    if (done) return done;
    const offset = node.range?.[0];
    if (depth > MAX_CONFIG_DEPTH && (isMap(node) || isSeq(node))) {
      const problem = { kind: 'too-deep', path: formatPath(path), limit: MAX_CONFIG_DEPTH } as const;
      this.stop(nestingCode(problem), shortenPath(problem.path), nestingMessage(problem), offset);
      return { kind: 'scalar', value: null, offset };
    }
    let result: SourceNode;
    this.ancestors.add(node);
    if (isMap(node)) result = { kind: 'map', entries: this.buildEntries(node.items, path, depth), offset };
    else if (isSeq(node)) {
      const items = node.items.map((item, index) =>
        this.build(item as Node | null, { parent: path, index }, offset, depth + 1),
      );
      result = { kind: 'seq', items, offset };
    } else if (isScalar(node)) result = { kind: 'scalar', value: scalarValue(node.value), offset };
    else result = { kind: 'scalar', value: null, offset };
    this.ancestors.delete(node);
    this.built.set(node, result);
    return result;
  }

  private buildAlias(
    alias: Node & { resolve(doc: Document): Node | undefined; source: string },
    path: PathLink | undefined,
    depth: number,
  ): SourceNode {
    const target = alias.resolve(this.doc);
    const offset = alias.range?.[0];
    if (!target) {
      this.fail(
        'CMP_ERR_CONFIG_YAML_SYNTAX',
        path,
        `Alias *${alias.source} cannot be resolved (unknown anchor)`,
        offset,
      );
      return { kind: 'scalar', value: null, offset };
    }
    if (this.ancestors.has(target)) {
      const problem = { kind: 'self-reference', path: '' } as const;
      this.stop(nestingCode(problem), formatPath(path), nestingMessage(problem), offset);
      return { kind: 'scalar', value: null, offset };
    }
    return this.build(target, path, offset, depth);
  }

  private buildEntries(
    pairs: readonly Pair<unknown, unknown>[],
    path: PathLink | undefined,
    depth: number,
  ): SourceEntry[] {
    const entries: SourceEntry[] = [];
    const firstOffset = new Map<string, number | undefined>();
    const merges: SourceNode[] = [];
    for (const pair of pairs) {
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range?.[0];
      if (keyNode !== null && !isScalar(keyNode)) {
        this.fail('CMP_ERR_CONFIG_YAML_SYNTAX', path, 'Mapping keys must be strings', keyOffset);
        continue;
      }
      const key = keyNode === null ? '' : String(scalarValue(keyNode.value) ?? '');
      const childPath: PathLink = { parent: path, key };
      if (key === MERGE_KEY && keyNode?.type === 'PLAIN') {
        merges.push(this.build(pair.value as Node | null, childPath, keyOffset, depth + 1));
        continue;
      }
      if (firstOffset.has(key)) {
        const first = this.sink.describeOffset(firstOffset.get(key));
        const where = first ? ` (first defined at ${first})` : '';
        this.fail(
          'CMP_ERR_CONFIG_DUPLICATE_KEY',
          childPath,
          `Map keys must be unique: "${key}" is defined twice${where}`,
          keyOffset,
        );
        continue;
      }
      firstOffset.set(key, keyOffset);
      entries.push({
        key,
        keyOffset,
        value: this.build(pair.value as Node | null, childPath, keyOffset, depth + 1),
      });
    }
    for (const merged of merges) this.merge(entries, firstOffset, merged, path);
    return entries;
  }

  /** Explicit keys win over merged ones; earlier merge sources win over later ones (YAML 1.1 merge rules). */
  private merge(
    entries: SourceEntry[],
    seen: Map<string, number | undefined>,
    source: SourceNode,
    path: PathLink | undefined,
  ): void {
    const sources = source.kind === 'seq' ? source.items : [source];
    for (const item of sources) {
      if (item.kind !== 'map') {
        this.fail(
          'CMP_ERR_CONFIG_YAML_SYNTAX',
          { parent: path, key: MERGE_KEY },
          'Merge keys (<<) need a mapping or a list of mappings',
          item.offset,
        );
        continue;
      }
      for (const entry of item.entries) {
        if (seen.has(entry.key)) continue;
        seen.set(entry.key, entry.keyOffset);
        entries.push(entry);
      }
    }
  }

  private fail(
    code: ConfigErrorCode,
    path: PathLink | undefined,
    message: string,
    offset: number | undefined,
  ): void {
    this.sink.error(code, formatPath(path), message, offset);
  }

  /** An error that leaves no usable tree: reported once, and nothing more is built. */
  private stop(code: ConfigErrorCode, path: string, message: string, offset: number | undefined): void {
    if (this.unreadable) return;
    this.unreadable = true;
    this.sink.error(code, path, message, offset);
  }
}

function scalarValue(value: unknown): ScalarValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}

/**
 * Offset where `[`/`{` nesting first exceeds `limit`, or -1. Brackets inside quoted strings are counted too:
 * an over-estimate that only matters for strings holding hundreds of unbalanced brackets.
 */
export function flowDepthBeyond(text: string, limit: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return -1;
}
