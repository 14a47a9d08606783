/**
 * Time runs `factor` times faster in this process: `Date.now()`, `new Date()`, `setTimeout`, `setInterval` and
 * `node:timers/promises` all see warped time, so the executor runs with its shipped defaults (ticks, stability
 * windows, backoffs, leases) and the simulator with real-world durations, and a 60 s build takes 60 / factor s
 * of wall time. The warp is the environment, like the simulator's latencies: nothing in the code under test is
 * tuned for the bench.
 *
 * What it cannot warp: CPU time and I/O (SQLite, HTTP on loopback), which count `factor` times in warped time,
 * so our own overhead reads larger than it is (upstream's makespan is computed, not run, so it pays none), and
 * `AbortSignal.timeout` (per-request time limits: real ms, i.e. `factor` times longer; no bench hits one).
 * Must be called before anything reads the time, and only once.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);

let warped: number | undefined;

export function warpTime(factor: number): void {
  if (warped !== undefined) {
    if (warped !== factor) throw new Error(`time is already warped ×${warped}`);
    return;
  }
  warped = factor;
  if (factor === 1) return;
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const origin = realNow();
  const now = (): number => Math.round(origin + (realNow() - origin) * factor);

  class WarpedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now());
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return now();
    }
  }
  globalThis.Date = WarpedDate as DateConstructor;

  const scale = (ms: unknown): number => (typeof ms === 'number' && ms > 0 ? ms / factor : 0);
  const realSetTimeout = globalThis.setTimeout;
  const realSetInterval = globalThis.setInterval;
  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) =>
    realSetTimeout(fn, scale(ms), ...rest)) as typeof setTimeout;
  globalThis.setInterval = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) =>
    realSetInterval(fn, scale(ms), ...rest)) as typeof setInterval;

  const timers = require('node:timers') as typeof import('node:timers');
  timers.setTimeout = globalThis.setTimeout;
  timers.setInterval = globalThis.setInterval;
  const promises = require('node:timers/promises') as typeof import('node:timers/promises');
  const realSleep = promises.setTimeout;
  const realEvery = promises.setInterval;
  promises.setTimeout = (<T>(ms?: number, value?: T, options?: import('node:timers').TimerOptions) =>
    realSleep(scale(ms), value, options)) as typeof promises.setTimeout;
  promises.setInterval = (<T>(ms?: number, value?: T, options?: import('node:timers').TimerOptions) =>
    realEvery(scale(ms), value, options)) as typeof promises.setInterval;
  // ESM imports of builtins (`import { setTimeout } from 'node:timers/promises'`) read the patched exports.
  syncBuiltinESMExports();
}
