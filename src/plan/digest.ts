/**
 * Digests that bind a plan to its inputs. Canonical JSON (object keys sorted, undefined dropped) so that the
 * same values give the same digest whatever order their keys were built in (a config that went through
 * PostgreSQL jsonb comes back with its keys reordered). Hashing is not I/O: the planner stays pure.
 */
import { createHash } from 'node:crypto';
import type { ToolConfig } from '../model/tool-config.js';
import type { BuildRecord, JobRecord, ObservedState } from '../model/observed-state.js';
import type { PlanOptions } from '../model/plan.js';

/** Every property name used anywhere in `value` (an explicit stack: deep values cannot overflow). */
function collectKeys(value: unknown): Set<string> {
  const keys = new Set<string>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const item of v) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    for (const key of Object.keys(v)) {
      keys.add(key);
      const item = (v as Record<string, unknown>)[key];
      if (item !== null && typeof item === 'object') stack.push(item);
    }
  }
  return keys;
}

/**
 * JSON with object keys sorted at every level, undefined values dropped. JSON.stringify with an array
 * replacer writes each object's properties in the array's order, natively: given every key sorted, that is
 * canonical, and faster than a replacer function that copies each object.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, [...collectKeys(value)].sort()) ?? 'null';
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Hashes a long sequence of JSON pieces in 64 KiB batches: one giant string for 100 000 components costs
 * more in allocation and GC than the hashing itself, and batches keep each `update` call worthwhile.
 */
class BatchedHash {
  readonly #hash = createHash('sha256');
  #batch = '';
  write(piece: string): void {
    this.#batch += piece;
    if (this.#batch.length >= 65_536) this.#flush();
  }
  #flush(): void {
    this.#hash.update(this.#batch);
    this.#batch = '';
  }
  digest(): string {
    this.#flush();
    return this.#hash.digest('hex');
  }
}

/** Digest of the config: each component's canonical JSON in turn, framed so that no two configs collide. */
export function configDigest(config: ToolConfig): string {
  const keys = [...collectKeys(config)].sort();
  const hash = new BatchedHash();
  const { components, ...rest } = config;
  hash.write(JSON.stringify(rest, keys));
  for (const component of components) hash.write(`\n${JSON.stringify(component, keys)}`);
  return hash.digest();
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The build fields decisions read, in a fixed order (a fixed-order array needs no key sorting). */
function buildFacts(b: BuildRecord): unknown[] {
  return [
    b.id,
    b.imageName,
    b.image,
    b.repository,
    b.ref,
    b.resolvedCommit,
    b.useLatestVersions,
    b.useDeprecatedVersions,
    b.envvars ? canonicalJson(b.envvars) : undefined,
    b.state,
    b.startedAt,
  ];
}

/**
 * The job fields decisions read: the spec a diff compares and a one-off's last run. Live state (state, health,
 * replicas ready, messages, url) is left out.
 */
function jobFacts(j: JobRecord): unknown[] {
  return [
    j.name,
    j.type,
    j.image,
    j.command,
    j.schedule,
    j.cpu,
    j.memory,
    j.emails,
    j.filelog,
    j.filelogStdout,
    j.filelogStderr,
    j.mount,
    j.port,
    j.portProtocol,
    j.publish,
    j.replicas,
    j.healthCheck ? canonicalJson(j.healthCheck) : undefined,
    j.retry,
    j.timeout,
    // A one-off's last run decides whether it runs again (steps/decide-jobs.ts): a new run is a new plan.
    j.lastRun ? [j.lastRun.state, j.lastRun.exitCode, j.lastRun.startedAt, j.lastRun.finishedAt] : undefined,
  ];
}

/**
 * Revision of what the plan reads from the observed state: builds, job specs, resolved refs and the
 * previously managed names. Live job state and `observedAt` are left out on purpose: they change every few
 * seconds without changing any decision, and must not make a saved plan stale. Order-independent: builds
 * and jobs are sorted by id and name first.
 */
export function statusRevision(observed: ObservedState): string {
  const hash = new BatchedHash();
  hash.write(JSON.stringify(observed.tool));
  hash.write('\nbuilds');
  for (const b of [...observed.builds].sort((a, b) => byString(a.id, b.id)))
    hash.write(`\n${JSON.stringify(buildFacts(b))}`);
  hash.write('\njobs');
  for (const j of [...observed.jobs].sort((a, b) => byString(a.name, b.name)))
    hash.write(`\n${JSON.stringify(jobFacts(j))}`);
  hash.write('\nrefs');
  for (const key of Object.keys(observed.resolvedRefs).sort()) {
    const r = observed.resolvedRefs[key];
    hash.write(`\n${JSON.stringify([key, r?.ok ? r.commit : null, r && !r.ok ? r.error : null])}`);
  }
  hash.write(`\nmanaged\n${JSON.stringify([...new Set(observed.previouslyManaged)].sort())}`);
  return hash.digest();
}

export function planId(configDigestHex: string, revision: string, options: PlanOptions): string {
  const opts = { ...options, only: options.only ? [...new Set(options.only)].sort() : undefined };
  return sha256(`${configDigestHex}\n${revision}\n${canonicalJson(opts)}`).slice(0, 24);
}
