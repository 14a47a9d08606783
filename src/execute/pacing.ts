/**
 * When to look at the runtime again, from what this process has seen: how long builds of an image take (the
 * builds list carries every finished build's start and end), how long jobs of a kind take to become ready
 * after their upsert, and how long a job takes to run at all.
 *
 * Learned timings only ever come from spells this process watched from their start: a job applied before the
 * server restarted, or a build started before it, would otherwise teach a time that includes the downtime
 * (a restart 50 s after a kill made every later wait-for hop wait ~40 s for jobs healthy in 4 s).
 */
import type { BuildRecord } from '../model/observed-state.js';

/**
 * A build nothing tells the duration of is looked at when it is a quarter older than at the last look (at most a
 * quarter of its age late: a build that fails at once is seen failing at once), and at least this often. The cap
 * is what a fresh tool's polling costs: builds take 30-60 s on Toolforge, and looks 3 s apart make a build
 * seen ending 1.5 s late on average for about a third fewer calls than 2 s (upstream looks at each build every
 * 2 s plus a request per build). A quarter rather than a third costs ~3 more looks per wave of first builds (the
 * cap is reached at 12 s of age instead of 9) and sees a 4 s build end ~0.3 s sooner on average: on a fresh
 * tool that first wave decides when every later one starts.
 */
const UNKNOWN_AGE_FRACTION = 1 / 4;
const UNKNOWN_BUILD_POLL_MAX_MS = 3_000;
/** No build ends the moment it starts: the first look at one nothing is known of (builds-api: ≥ 20 s). */
const UNKNOWN_FIRST_LOOK_MS = 1_000;
/** Around an expected end: looks this fraction of the expected duration apart (at most 1 s)... */
const NEAR_END_FRACTION = 1 / 50;
const NEAR_END_MAX_MS = 1_000;
/**
 * ...for this fraction of it (at least 5 looks), then apart by a quarter of how late the build already is, at
 * most this fraction of the expected duration (a build longer than expected is late by at most that much).
 */
const NEAR_END_SPAN_FRACTION = 1 / 10;
const LATE_MAX_FRACTION = 1 / 10;

export class Pacing {
  /** Per image name: how long its last finished build took (ms). */
  readonly #buildMs = new Map<string, number>();
  /** The shortest build seen finishing in this tool: how long the tool's builds take, at least. */
  #anyBuildMs?: number;
  /** Per readiness kind: the shortest apply → ready time this process saw (ms). */
  readonly #readyMs = new Map<string, number>();
  /** The shortest apply → running time of a job this process saw, dated by the job's uptime (ms). */
  #jobStartMs?: number;

  /** What the plan expects of a build of `imageName` (its last build's time, observed when it was planned). */
  expectBuild(imageName: string, ms: number): void {
    if (!(ms > 0) || this.#buildMs.has(imageName)) return;
    this.#buildMs.set(imageName, ms);
    this.#anyBuildMs = Math.min(this.#anyBuildMs ?? Infinity, ms);
  }

  /** Learns build durations from a builds list (finished successful builds only). */
  learnBuilds(builds: readonly BuildRecord[]): void {
    const newest = new Map<string, { readonly at: number; readonly ms: number }>();
    for (const b of builds) {
      if (b.state !== 'successful' || b.startedAt === undefined || b.finishedAt === undefined) continue;
      const start = Date.parse(b.startedAt);
      const ms = Date.parse(b.finishedAt) - start;
      if (!(ms > 0)) continue;
      const seen = newest.get(b.imageName);
      if (!seen || seen.at < start) newest.set(b.imageName, { at: start, ms });
    }
    for (const [image, { ms }] of newest) {
      this.#buildMs.set(image, ms);
      this.#anyBuildMs = Math.min(this.#anyBuildMs ?? Infinity, ms);
    }
  }

  /**
   * How long a build of `imageName` should take: its own last build's time (`own`), else the tool's shortest
   * build (a new image of a tool whose builds take 40 s will not take 4, but may take 60).
   */
  expectedBuildMs(imageName: string): { readonly ms: number; readonly own: boolean } | undefined {
    const own = this.#buildMs.get(imageName);
    if (own !== undefined) return { ms: own, own: true };
    return this.#anyBuildMs === undefined ? undefined : { ms: this.#anyBuildMs, own: false };
  }

  /**
   * When a running build should next be looked at (ms). `startedAt`: when it started (builds-api's start time
   * when known: the durations learned are measured on it). With an expected duration it is looked at when it
   * should end; a build of an image built before then at short intervals while it is most likely ending (a
   * miss there is what makes the deployment late); then less and less often, as the build shows it is longer
   * than expected. Without one (the first builds of a tool), or once a new image's build outlasts the tool's
   * shortest build, it is looked at by its age (UNKNOWN_AGE_FRACTION).
   */
  nextBuildLook(
    imageName: string,
    startedAt: number,
    lastLook: number,
    tick: { minMs: number; maxMs: number },
  ): number {
    const clamp = (ms: number, max: number): number => Math.max(tick.minMs, Math.min(max, Math.round(ms)));
    const byAge = (): number =>
      lastLook < startedAt + UNKNOWN_FIRST_LOOK_MS
        ? startedAt + UNKNOWN_FIRST_LOOK_MS
        : lastLook + clamp((lastLook - startedAt) * UNKNOWN_AGE_FRACTION, UNKNOWN_BUILD_POLL_MAX_MS);
    const expected = this.expectedBuildMs(imageName);
    if (expected === undefined) return byAge();
    const { ms, own } = expected;
    const end = startedAt + ms;
    if (lastLook < end) return Math.max(end, lastLook + tick.minMs);
    // Past the tool's shortest build, another image's build is as unknown as a first one: by its age.
    if (!own) return byAge();
    const near = clamp(ms * NEAR_END_FRACTION, NEAR_END_MAX_MS);
    const late = lastLook - end;
    if (late < Math.max(ms * NEAR_END_SPAN_FRACTION, 5 * near)) return lastLook + near;
    const cap = Math.max(near, Math.min(tick.maxMs, ms * LATE_MAX_FRACTION));
    return lastLook + Math.max(near, Math.min(cap, Math.round(late / 4)));
  }

  /** Learns how long a job took from its apply until it ran (from its uptime; `ms` < 0 is noise). */
  learnJobStart(ms: number): void {
    if (ms >= 0) this.#jobStartMs = Math.min(this.#jobStartMs ?? Infinity, ms);
  }

  expectedJobStartMs(): number | undefined {
    return this.#jobStartMs;
  }

  learnReady(kind: string, ms: number): void {
    if (ms > 0) this.#readyMs.set(kind, Math.min(this.#readyMs.get(kind) ?? Infinity, ms));
  }

  expectedReadyMs(kind: string): number | undefined {
    return this.#readyMs.get(kind);
  }
}
