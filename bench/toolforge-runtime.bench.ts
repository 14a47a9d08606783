/**
 * Toolforge runtime against the simulator: cost of one `observe` for tools of growing size (always 2 HTTP calls),
 * and how retries behave under 20 % injected 5xx (calls per successful operation).
 */
import { startSimulator } from '../src/simulator/simulator.js';
import { ToolforgeRuntime } from '../src/runtimes/toolforge/toolforge-runtime.js';
import { GuardedRuntime } from '../src/runtimes/guarded-runtime.js';

async function observeCost(size: number): Promise<void> {
  const sim = await startSimulator({
    seed: 1,
    builds: { durationMs: 0 },
    jobs: { startMs: 0 },
  });
  const runtime = new ToolforgeRuntime({ apiUrl: sim.url });
  try {
    const tool = 'bench';
    for (let i = 0; i < size; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, size - i) }, async (_, k) => {
          const name = `c${i + k}`;
          const build = {
            imageName: name,
            repository: `https://example.org/${name}`,
            useLatestVersions: false,
            useDeprecatedVersions: false,
          };
          await runtime.startBuild(tool, build);
          await runtime.upsertJob(tool, {
            name,
            type: 'continuous',
            image: `tool-${tool}/${name}:latest`,
            command: 'web',
          });
        }),
      );
    }
    runtime.resetStats();
    const rounds = 20;
    const started = performance.now();
    for (let r = 0; r < rounds; r++) await runtime.observe(tool);
    const ms = (performance.now() - started) / rounds;
    const calls = runtime.stats();
    console.log(
      `observe, ${String(size).padStart(4)} builds + ${String(size).padStart(4)} jobs: ${ms.toFixed(1)} ms/observe, ` +
        `${(calls.builds + calls.jobs) / rounds} HTTP calls/observe`,
    );
  } finally {
    await runtime.close();
    await sim.close();
  }
}

/**
 * Under 20 % injected 5xx, through the one guard (`GuardedRuntime`): reads are retried there, each attempt one
 * request; changes are made once (retrying them is the executor's decision, after it looked), and a build start
 * whose answer was lost is adopted, never repeated: no more builds than starts.
 */
async function faultyOperations(): Promise<void> {
  const sim = await startSimulator({ seed: 11, builds: { durationMs: 0 }, faults: { errorRate: 0.2 } });
  const inner = new ToolforgeRuntime({ apiUrl: sim.url });
  const runtime = new GuardedRuntime(inner, { retryBaseMs: 2, readAttempts: 5 });
  try {
    const reads = 200;
    let failedReads = 0;
    const started = performance.now();
    for (let i = 0; i < reads; i++) await runtime.observe('bench').catch(() => failedReads++);
    const readCalls = inner.stats();
    let failedChanges = 0;
    for (let i = 0; i < 50; i++) {
      const build = {
        imageName: `b${i}`,
        repository: 'https://example.org/r',
        useLatestVersions: false,
        useDeprecatedVersions: false,
      };
      await runtime.startBuild('bench', build).catch(() => failedChanges++);
    }
    const ms = performance.now() - started;
    const stats = sim.stats();
    console.log(
      `20 % injected 5xx: ${reads} observes (${failedReads} failed after 5 attempts, ` +
        `${((readCalls.builds + readCalls.jobs) / reads / 2).toFixed(2)} requests per list); 50 build starts made once: ` +
        `${failedChanges} failed (retryable: the executor looks, then retries), ${stats.buildsStarted} builds started for ` +
        `${50 - failedChanges} successful starts; ${ms.toFixed(0)} ms, ${stats.injectedErrors} injected errors`,
    );
  } finally {
    await runtime.close();
    await sim.close();
  }
}

export async function run(): Promise<void> {
  for (const size of [10, 100, 1000]) await observeCost(size);
  await faultyOperations();
}
