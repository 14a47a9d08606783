/**
 * Config search (`POST /v1/config/search`): `{"matches": {"<path>": <value>, …}}` → the tools whose stored
 * config has every value at its path. A path is dot-separated keys, each optionally followed by `[]` (any
 * element of a list, or any value of a map such as `components`) or `[<n>]` (the n-th list element):
 * `components[].build.repository`. Configs are compared in upstream's current form (v1beta2, snake_case), whichever
 * dialect they were sent in, and values by deep equality (`{"run": {"port": 8000}}` or a scalar).
 */
import { isDeepStrictEqual } from 'node:util';
import { isObject } from '../support/is-object.js';

export type PathStep =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'index'; readonly index: number };

export const MAX_SEARCH_PATH_LENGTH = 500;

/** Why a path cannot be parsed (undefined steps), or its steps. */
export function parseSearchPath(path: string): { steps: PathStep[] } | { problem: string } {
  if (path === '') return { problem: 'the path is empty' };
  if (path.length > MAX_SEARCH_PATH_LENGTH) {
    return { problem: `the path is longer than ${MAX_SEARCH_PATH_LENGTH} characters` };
  }
  const steps: PathStep[] = [];
  for (const segment of path.split('.')) {
    const match = /^([^.[\]]+)((?:\[\d*\])*)$/.exec(segment);
    if (!match) {
      return {
        problem: `'${segment}' is not a key optionally followed by [] or [<n>] (path syntax: a.b[].c)`,
      };
    }
    steps.push({ kind: 'key', key: match[1]! });
    for (const bracket of match[2]!.match(/\[\d*\]/g) ?? []) {
      const inner = bracket.slice(1, -1);
      steps.push(inner === '' ? { kind: 'any' } : { kind: 'index', index: Number(inner) });
    }
  }
  return { steps };
}

/** Every value the path reaches in `document` (several when it has `[]`, none when it leads nowhere). */
export function valuesAt(document: unknown, steps: readonly PathStep[]): unknown[] {
  let current: unknown[] = [document];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'key') {
        if (isObject(value) && Object.hasOwn(value, step.key)) next.push(value[step.key]);
      } else if (step.kind === 'index') {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (Array.isArray(value)) {
        next.push(...(value as unknown[]));
      } else if (isObject(value)) {
        next.push(...Object.values(value));
      }
    }
    current = next;
  }
  return current;
}

export interface SearchCriterion {
  readonly steps: readonly PathStep[];
  readonly value: unknown;
}

/** Every criterion holds: some value at its path equals its value. */
export function configMatches(document: unknown, criteria: readonly SearchCriterion[]): boolean {
  return criteria.every((c) => valuesAt(document, c.steps).some((v) => isDeepStrictEqual(v, c.value)));
}
