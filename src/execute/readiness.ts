/**
 * wait-for checks (Compose's `waitDependency`): is a job ready, still coming up, or broken for good? Broken
 * states (crash loop, failed) end the wait at once instead of running out the deadline. Stability over time is
 * tracked by `StabilityTracker`, so a job that flaps healthy for one poll does not release its dependents.
 */
import type { JobRecord } from '../status/observed-state.js';

export type ReadyCondition = 'healthy' | 'registered';

export type Readiness =
  | { readonly kind: 'ready' }
  /** `detail` completes "waiting for <job>: …". */
  | { readonly kind: 'not-ready'; readonly detail: string }
  | { readonly kind: 'broken'; readonly reason: string };

export function jobReadiness(name: string, job: JobRecord | undefined, condition: ReadyCondition): Readiness {
  if (!job) return { kind: 'not-ready', detail: 'not running yet' };
  if (job.state === 'crash-looping') return broken(`${name} is crash-looping`, job.message);
  if (job.state === 'failed') return broken(`${name} failed`, job.message);
  if (condition === 'registered' || job.type === 'scheduled') {
    return job.state === 'registered'
      ? { kind: 'ready' }
      : { kind: 'not-ready', detail: 'not registered yet' };
  }
  if (job.state !== 'running')
    return { kind: 'not-ready', detail: job.state === 'pending' ? 'starting' : 'not running yet' };
  if (job.health === 'healthy' || job.health === 'none') return { kind: 'ready' };
  const wanted = job.replicas ?? 1;
  const ready = job.readyReplicas ?? 0;
  return { kind: 'not-ready', detail: `${ready}/${wanted} replicas healthy` };
}

function broken(head: string, message: string | undefined): Readiness {
  return { kind: 'broken', reason: message ? `${head}: ${message}` : head };
}

/** Remembers since when each job has been seen ready; a not-ready sighting resets it. */
export class StabilityTracker {
  readonly #since = new Map<string, number>();

  /** Records a sighting at `at` (ms) and answers whether the job has been ready for at least `forMs`. */
  observe(key: string, ready: boolean, at: number, forMs: number): boolean {
    if (!ready) {
      this.#since.delete(key);
      return false;
    }
    const since = this.#since.get(key) ?? at;
    this.#since.set(key, since);
    return at - since >= forMs;
  }

  /** When the job has been ready since (ms), if it is. */
  readySince(key: string): number | undefined {
    return this.#since.get(key);
  }

  forget(key: string): void {
    this.#since.delete(key);
  }
}
