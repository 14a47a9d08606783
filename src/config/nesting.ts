/**
 * How deep a config may nest, and the check that enforces it on an already-parsed value. A real config is
 * about six levels deep (components → name → run → field); anything far deeper is hostile or broken, and the
 * recursive code that reads, validates and reports on a document (ours, the `yaml` library's toJS, Python-style
 * reprs of received values) would exhaust the stack on it. A self-referencing YAML alias (`a: &a [*a]`) is
 * infinitely deep, so it is caught by the same walk.
 */
import type { ConfigErrorCode } from '../errors.js';
import { formatPath, type PathLink } from './path.js';

/** Deeper than any config needs, shallow enough that every recursive reader stays far from the stack limit. */
export const MAX_CONFIG_DEPTH = 64;

export type NestingProblem =
  | { readonly kind: 'too-deep'; readonly path: string; readonly limit: number }
  | { readonly kind: 'self-reference'; readonly path: string };

export function nestingCode(problem: NestingProblem): ConfigErrorCode {
  return problem.kind === 'too-deep' ? 'CMP_ERR_CONFIG_TOO_DEEP' : 'CMP_ERR_CONFIG_RECURSIVE_ALIAS';
}

export function nestingMessage(problem: NestingProblem): string {
  return problem.kind === 'too-deep'
    ? `the config is nested more than ${problem.limit} levels deep and cannot be read`
    : 'a YAML alias refers to a node that contains it (a recursive alias), so the config cannot be read';
}

interface Frame {
  readonly value: object;
  readonly depth: number;
  readonly path: PathLink | undefined;
  readonly leaving: boolean;
}

/**
 * The first place where `value` nests deeper than `limit` or contains itself, or undefined. Iterative (an
 * explicit stack), so it is safe on any input, and linear: a node shared through several aliases is only walked
 * again when reached at a smaller depth than before.
 */
export function findNestingProblem(value: unknown, limit = MAX_CONFIG_DEPTH): NestingProblem | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const onPath = new Set<object>();
  const shallowest = new Map<object, number>();
  const stack: Frame[] = [{ value, depth: 0, path: undefined, leaving: false }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    if (frame.leaving) {
      onPath.delete(frame.value);
      continue;
    }
    if (onPath.has(frame.value)) return { kind: 'self-reference', path: formatPath(frame.path) };
    if (frame.depth > limit) return { kind: 'too-deep', path: formatPath(frame.path), limit };
    const seenAt = shallowest.get(frame.value);
    if (seenAt !== undefined && seenAt <= frame.depth) continue;
    shallowest.set(frame.value, frame.depth);
    onPath.add(frame.value);
    stack.push({ ...frame, leaving: true });
    const depth = frame.depth + 1;
    if (Array.isArray(frame.value)) {
      frame.value.forEach((item: unknown, index) => {
        if (item !== null && typeof item === 'object')
          stack.push({ value: item, depth, path: { parent: frame.path, index }, leaving: false });
      });
    } else {
      for (const [key, item] of Object.entries(frame.value)) {
        if (item !== null && typeof item === 'object')
          stack.push({ value: item as object, depth, path: { parent: frame.path, key }, leaving: false });
      }
    }
  }
  return undefined;
}

/** A path shortened for a message: the first `keep` steps of a (possibly very long) config path. */
export function shortenPath(path: string, keep = 6): string {
  const steps = path.match(/[^.[]+|\[\d+\]/g) ?? [];
  if (steps.length <= keep) return path;
  let out = '';
  for (const step of steps.slice(0, keep)) out += out === '' || step.startsWith('[') ? step : `.${step}`;
  return `${out}…`;
}
