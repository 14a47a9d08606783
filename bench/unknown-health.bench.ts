/**
 * Which failures the unknown-health window catches, per window (bench/unknown-health-window.ts), with time
 * warped ×20: the figures behind the shipped default (docs/upstream-compat.md#health-on-toolforge).
 */
import { warpedChild } from './warped-child.js';

export async function run(): Promise<void> {
  await warpedChild('unknown-health-window', Number(process.env['BENCH_WARP'] ?? 20));
}
