/**
 * Toolforge runtime against the simulator: cost of one `observe` for tools of growing size (always 2 HTTP calls),
 * and how retries behave under 20 % injected 5xx (calls per successful operation).
 */
import { startSimulator } from '../src/runtimes/toolforge/simulator/simulator.js';
import { ToolforgeRuntime } from '../src/runtimes/toolforge/toolforge-runtime.js';

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

async function faultyOperations(): Promise<void> {
  const sim = await startSimulator({ seed: 11, builds: { durationMs: 0 }, faults: { errorRate: 0.2 } });
  const runtime = new ToolforgeRuntime({ apiUrl: sim.url, retries: 6, backoffBaseMs: 2, backoffMaxMs: 20 });
  try {
    const operations = 200;
    let failed = 0;
    const started = performance.now();
    for (let i = 0; i < operations; i++) {
      const name = `j${i % 20}`;
      await runtime
        .upsertJob('bench', { name, type: 'continuous', image: 'tool-bench/x:latest', command: `cmd ${i}` })
        .catch(() => failed++);
    }
    for (let i = 0; i < 50; i++) {
      const build = {
        imageName: `b${i}`,
        repository: 'https://example.org/r',
        useLatestVersions: false,
        useDeprecatedVersions: false,
      };
      await runtime.startBuild('bench', build).catch(() => failed++);
    }
    const ms = performance.now() - started;
    const calls = runtime.stats();
    const stats = sim.stats();
    console.log(
      `20 % injected 5xx: ${operations} upserts + 50 build starts in ${ms.toFixed(0)} ms, ${failed} failed, ` +
        `${((calls.builds + calls.jobs) / (operations + 50)).toFixed(2)} calls/operation, ` +
        `${stats.injectedErrors} injected errors, ${stats.buildsStarted} builds started (want 50)`,
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
