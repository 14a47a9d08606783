/**
 * Which failures does the unknown-health window catch? (Run by unknown-health.bench.ts, time warped.)
 *
 * On Toolforge jobs-api reports no health, so `wait-for` on a job with a health check releases its dependents
 * once the job has run `unknownHealthStableForMs` without a restart. The window can only catch what jobs-api
 * shows within it: a restart. The simulator plays Kubernetes' times (first restart back-off 10 s, startup probe
 * 120 s, job running 8 s after an upsert) and a job `api` with a health check that fails in one of these ways:
 *   crash at start      the process exits at once (an import error, a missing setting): never seen running;
 *   crash after N s     it runs N s, then exits (a connection that fails, a setting read late), every time;
 *   never healthy       it runs, its check never passes: the startup probe kills it after 120 s;
 *   healthy             control: how long `web` waits for a healthy `api`.
 * `web` waits for `api`. For each window: `caught` = the deployment failed on `api` and `web` was never
 * deployed; `released after T s` = `web` was deployed T s after `api`'s upsert, whatever `api` did next.
 * Each executor runs its shipped defaults except the window under study.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Executor } from '../src/execute/executor.js';
import { createStore } from '../src/store/create-store.js';
import { startSimulator } from '../src/simulator/simulator.js';
import type { JobBehaviour } from '../src/simulator/simulator-options.js';
import { ToolforgeRuntime } from '../src/runtimes/toolforge/toolforge-runtime.js';
import { storeDeployment, type ComponentSpec } from '../test/support/executor-kit.js';

const WINDOWS_S = [2, 5, 10, 30];
const FAILURES: ReadonlyArray<readonly [string, JobBehaviour]> = [
  ['crash at start', { crashLoop: true }],
  ['crash after 1 s', { crashAfterMs: 1_000 }],
  ['crash after 3 s', { crashAfterMs: 3_000 }],
  ['crash after 8 s', { crashAfterMs: 8_000 }],
  ['crash after 20 s', { crashAfterMs: 20_000 }],
  ['never healthy', { neverHealthy: true }],
  ['healthy', {}],
];

const specs = (tool: string): ComponentSpec[] => [
  { name: `${tool}-api`, health: true },
  { name: `${tool}-web`, reuse: `${tool}-api`, health: false, waitFor: [`${tool}-api`] },
];

export async function main(warp: number): Promise<void> {
  const byName: Record<string, JobBehaviour> = {};
  FAILURES.forEach(([, behaviour], f) => {
    for (const w of WINDOWS_S.keys()) byName[`t${w}x${f}-api`] = behaviour;
  });
  const sim = await startSimulator({
    builds: { durationMs: 1_000, resolveRefs: 'fake' },
    jobs: { startMs: 8_000, backoffMs: 10_000, startupProbeMs: 120_000, byName },
    faults: { latencyMs: 300 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'tfc-bench-window-'));
  const results = new Map<string, string>();
  try {
    await Promise.all(
      WINDOWS_S.map(async (windowS, w) => {
        const store = await createStore(join(dir, `w${windowS}.db`));
        const runtime = new ToolforgeRuntime({ apiUrl: sim.url });
        const executor = new Executor({ store, runtime, unknownHealthStableForMs: windowS * 1000 });
        await executor.start();
        try {
          await Promise.all(
            FAILURES.map(async ([label], f) => {
              const tool = `t${w}x${f}`;
              const deployment = await storeDeployment(store, tool, specs(tool));
              executor.notify(deployment.id);
              for (;;) {
                const d = await store.getDeployment(tool, deployment.id);
                if (d && ['successful', 'failed'].includes(d.state)) break;
                await sleep(500);
              }
              const jobs = sim.state.toolJobs(tool);
              const api = jobs.get(`${tool}-api`);
              const web = jobs.get(`${tool}-web`);
              results.set(
                `${label}|${windowS}`,
                web && api
                  ? `released ${((web.generationMs - api.generationMs) / 1000).toFixed(0)} s`
                  : 'caught',
              );
            }),
          );
        } finally {
          await executor.stop();
          await runtime.close();
          await store.close();
        }
      }),
    );
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `time warped ×${warp}; Kubernetes' times: job runs 8 s after its upsert, restart back-off 10 s, startup probe 120 s`,
  );
  console.log(`${'api fails by'.padEnd(18)}${WINDOWS_S.map((s) => `window ${s} s`.padEnd(15)).join('')}`);
  for (const [label] of FAILURES) {
    const cells = WINDOWS_S.map((s) => (results.get(`${label}|${s}`) ?? '?').padEnd(15));
    console.log(`${label.padEnd(18)}${cells.join('')}`);
  }
  console.log(
    `load avg ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}
