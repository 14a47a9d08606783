/**
 * wait-for checks (Compose's `waitDependency`): is a job ready, still coming up, or broken for good? Broken
 * states (crash loop, failed) end the wait at once instead of running out the deadline.
 *
 * Three rules, and the verdict says which one released a job (the progress text names it):
 * - `health-check`: the job has a health check and the runtime reports it passing (the local runtime probes
 *   it): ready at once, no stability window: the probe already is the evidence;
 * - `stability`: the job has no health check: running without a restart for a short window (`stableForMs`);
 * - `no-restart`: the job has a health check whose result the runtime cannot see (jobs-api reports none), so
 *   "running, and not restarted for a longer window" is the evidence: a failing health check or a crashing
 *   process shows as a restart within it.
 * The window of the last two is tracked by `StabilityTracker`, so a job that is up for one poll does not
 * release its dependents.
 */
import type { JobRecord } from '../model/observed-state.js';
import type { TaskReady } from '../model/plan.js';

/** How a job is judged ready: what the plan says (`TaskReady`), or, for a job with no task, its record. */
export type ReadyCondition = Exclude<TaskReady, { kind: 'completed' }>;

/** How a ready verdict was reached (see above). */
export type ReadyRule = 'health-check' | 'stability' | 'no-restart';

export type Readiness =
  | { readonly kind: 'ready'; readonly rule: ReadyRule }
  /** `detail` completes "waiting for <job>: …". */
  | { readonly kind: 'not-ready'; readonly detail: string }
  | { readonly kind: 'broken'; readonly reason: string };

/** The condition for a job the plan has no task for: what its own record says. */
export function conditionOf(job: JobRecord | undefined): ReadyCondition {
  if (job?.type === 'scheduled') return { kind: 'registered' };
  return { kind: 'healthy', observed: job?.healthCheck ? 'health-check' : 'stability' };
}

export function jobReadiness(name: string, job: JobRecord | undefined, condition: ReadyCondition): Readiness {
  if (!job) return { kind: 'not-ready', detail: 'not running yet' };
  if (job.state === 'crash-looping') return broken(`${name} is crash-looping`, job.message);
  if (job.state === 'failed') return broken(`${name} failed`, job.message);
  if (condition.kind === 'registered' || job.type === 'scheduled') {
    return job.state === 'registered'
      ? { kind: 'ready', rule: 'health-check' }
      : { kind: 'not-ready', detail: 'not registered yet' };
  }
  if (job.state !== 'running') {
    if (job.restarts !== undefined && job.restarts > 0)
      return {
        kind: 'not-ready',
        detail: `restarting (${job.message ?? `restarted ${job.restarts} times`})`,
      };
    const cause = job.healthReason ? `: ${job.healthReason}` : ''; // e.g. jobs-api's `0/3 nodes are available`
    return {
      kind: 'not-ready',
      detail: `${job.state === 'pending' ? 'starting' : 'not running yet'}${cause}`,
    };
  }
  if (job.health === 'unknown') return { kind: 'ready', rule: 'no-restart' };
  // Without a health check (in the plan, or as the runtime runs it) only time running can tell.
  if (condition.observed === 'stability' || job.health === 'none')
    return { kind: 'ready', rule: 'stability' };
  if (job.health === 'healthy') return { kind: 'ready', rule: 'health-check' };
  const wanted = job.replicas ?? 1;
  const ready = job.readyReplicas ?? 0;
  // The runtime's own words on why (issue 12: a wait says what it waits on, e.g. `connection refused on …`).
  const why = job.healthReason ? `: ${job.healthReason}` : '';
  return { kind: 'not-ready', detail: `${ready}/${wanted} replicas healthy${why}` };
}

function broken(head: string, message: string | undefined): Readiness {
  return { kind: 'broken', reason: message ? `${head}: ${message}` : head };
}

/** Remembers since when each job has been seen ready, and for how long it must stay so; a not-ready sighting resets it. */
export class StabilityTracker {
  readonly #seen = new Map<string, { readonly since: number; readonly forMs: number }>();

  /**
   * Records a sighting at `at` (ms) and answers whether the job has been ready for at least `forMs`. `since`:
   * when the runtime itself says the job has been running since (its uptime), which also catches a restart
   * between two sightings.
   */
  observe(key: string, ready: boolean, at: number, forMs: number, since?: number): boolean {
    if (!ready) {
      this.#seen.delete(key);
      return false;
    }
    since ??= this.#seen.get(key)?.since ?? at;
    this.#seen.set(key, { since, forMs });
    return at - since >= forMs;
  }

  /** When the job has been ready since (ms), if it is. */
  readySince(key: string): number | undefined {
    return this.#seen.get(key)?.since;
  }

  /** When the job will have been ready long enough (ms), if it is ready. */
  stableAt(key: string): number | undefined {
    const seen = this.#seen.get(key);
    return seen === undefined ? undefined : seen.since + seen.forMs;
  }

  forget(key: string): void {
    this.#seen.delete(key);
  }
}
