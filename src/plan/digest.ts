/**
 * Digests that bind a plan to its inputs. Canonical JSON (object keys sorted, undefined dropped) so that the
 * same values give the same digest whatever order their keys were built in. Hashing is not I/O: the planner
 * stays pure.
 */
import { createHash } from 'node:crypto';
import type { ToolConfig } from '../config/tool-config.js';
import type { ObservedState } from '../status/observed-state.js';
import type { PlanOptions } from './plan.js';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function configDigest(config: ToolConfig): string {
  return sha256(canonicalJson(config));
}

/**
 * Revision of what the plan reads from the observed state: builds, job specs, resolved refs and the
 * previously managed names. Live job state (running, health, messages) and `observedAt` are left out on
 * purpose: they change every few seconds without changing any decision, and must not make a plan stale.
 */
export function statusRevision(observed: ObservedState): string {
  const builds = [...observed.builds]
    .map((b) => ({ ...b, message: undefined, finishedAt: undefined }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const jobs = [...observed.jobs]
    .map((j) => ({ ...j, state: undefined, health: undefined, readyReplicas: undefined, message: undefined, url: undefined }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const previouslyManaged = [...new Set(observed.previouslyManaged)].sort();
  return sha256(canonicalJson({ tool: observed.tool, builds, jobs, resolvedRefs: observed.resolvedRefs, previouslyManaged }));
}

export function planId(configDigestHex: string, revision: string, options: PlanOptions): string {
  const opts = { ...options, only: options.only ? [...new Set(options.only)].sort() : undefined };
  return sha256(`${configDigestHex}\n${revision}\n${canonicalJson(opts)}`).slice(0, 24);
}
