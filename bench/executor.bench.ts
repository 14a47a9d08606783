/**
 * Executor bench: our DAG executor, with its shipped defaults, against upstream components-api's strategy,
 * on the builds-api + jobs-api simulator playing Toolforge's real-world times (bench/executor-scenarios.ts).
 * Two child processes: one with time warped ×BENCH_WARP (default 10; the scenarios at Toolforge's scale), one
 * unwarped (issue 10's real-time wide-30). Each has its own clock, so they run one after the other.
 * BENCH_ONLY=toolhunt,noop-300 runs some scenarios (wide-30-real: the real-time one); BENCH_RUNS=1 one run each.
 */
import { warpedChild } from './warped-child.js';

export async function run(): Promise<void> {
  const only = process.env['BENCH_ONLY']?.split(',');
  if (only === undefined || only.some((name) => name !== 'wide-30-real'))
    await warpedChild('executor-scenarios', Number(process.env['BENCH_WARP'] ?? 10));
  if (only === undefined || only.includes('wide-30-real')) await warpedChild('executor-scenarios', 1);
}
