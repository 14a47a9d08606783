/**
 * When to look at the runtime again, from what this process has seen: how long builds of an image take (the
 * builds list carries every finished build's start and end) and how long jobs of a kind take to become ready
 * after their upsert.
 *
 * Learned timings only ever come from spells this process watched from their start: a job applied before the
 * server restarted, or a build started before it, would otherwise teach a time that includes the downtime
 * (a restart 50 s after a kill made every later wait-for hop wait ~40 s for jobs healthy in 4 s).
 */
import type { BuildRecord } from '../status/observed-state.js';

/** A build's expected duration is unknown: look at most this often (one builds-list call covers every build). */
const UNKNOWN_BUILD_POLL_MAX_MS = 1_000;

export class Pacing {
  /** Per image name: how long its last finished build took (ms). */
  readonly #buildMs = new Map<string, number>();
  /** The shortest build seen finishing in this tool: the guess for an image never built before. */
  #anyBuildMs?: number;
  /** Per readiness kind: the shortest apply → ready time this process saw (ms). */
  readonly #readyMs = new Map<string, number>();

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

  /** How long a build of `imageName` should take, if anything tells. */
  expectedBuildMs(imageName: string): number | undefined {
    return this.#buildMs.get(imageName) ?? this.#anyBuildMs;
  }

  /**
   * When a running build should next be looked at (ms): when it is expected to end, then at a tenth of its
   * expected duration; unknown, at a sixth of its age (at most 1/6 late), capped at 1 s.
   */
  nextBuildLook(
    imageName: string,
    startedAt: number,
    lastLook: number,
    now: number,
    tick: { minMs: number; maxMs: number },
  ): number {
    const clamp = (ms: number, max: number): number => Math.max(tick.minMs, Math.min(max, Math.round(ms)));
    const expected = this.expectedBuildMs(imageName);
    if (expected === undefined)
      return lastLook + clamp((now - startedAt) / 6, Math.min(tick.maxMs, UNKNOWN_BUILD_POLL_MAX_MS));
    const end = startedAt + expected;
    if (lastLook < end) return Math.max(end, lastLook + tick.minMs);
    return lastLook + clamp(expected / 10, tick.maxMs);
  }

  learnReady(kind: string, ms: number): void {
    if (ms > 0) this.#readyMs.set(kind, Math.min(this.#readyMs.get(kind) ?? Infinity, ms));
  }

  expectedReadyMs(kind: string): number | undefined {
    return this.#readyMs.get(kind);
  }
}
