/**
 * Unreliable Toolforge end to end: the simulator answers 20 % of builds-api/jobs-api requests with a 503 and
 * holds back 10 % of responses past the runtime's request timeout. `deploy` (a real CLI process) against an
 * instance with the Toolforge runtime must end, within the test's bound, either with everything deployed (exit
 * 0) or with the failure and its reason (exit 1) — and no image is ever built twice, although answers were lost.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { ToolforgeRuntime } from '../../src/runtimes/toolforge/toolforge-runtime.js';
import { GuardedRuntime } from '../../src/runtimes/guarded-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.js';
import { runCli } from '../support/cli-kit.js';
import { buildsPerImage, describeTasks, getDeployment, tempDir } from '../support/toolforge-e2e.js';

let dir: ReturnType<typeof tempDir>;
let sim: Simulator | undefined;
let instance: RunningInstance | undefined;

before(async () => {
  dir = tempDir('tfc-e2e-faults-');
  sim = await startSimulator({
    seed: 20,
    builds: { durationMs: 200 },
    jobs: { startMs: 30 },
    faults: { errorRate: 0.2, slowRate: 0.1, slowMs: 1_500 },
  });
  instance = await startInstance({
    // Wired as `serve --runtime toolforge` is: single HTTP attempts behind the one guard that retries reads.
    runtime: new GuardedRuntime(new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 400 })),
    dataDir: dir.path,
    executor: {
      tick: { minMs: 20, maxMs: 150 },
      stableForMs: 50,
      unknownHealthStableForMs: 150,
      retryBaseMs: 20,
      callTimeoutMs: 3_000,
      waitTimeoutMs: 20_000,
    },
  });
});

after(async () => {
  await instance?.close();
  await sim?.close();
  dir?.dispose();
});

function configFor(tool: string): string {
  return [
    'config-version: 0.1',
    'components:',
    `  ${tool}-api:`,
    '    type: continuous',
    `    build: {repository: "https://gitlab.example.org/${tool}/api"}`,
    '    run: {port: 8000, health-check-http: /healthz}',
    `  ${tool}-cleanup:`,
    '    type: scheduled',
    `    build: {repository: "https://gitlab.example.org/${tool}/cleanup"}`,
    `    wait-for: [${tool}-api]`,
    '    run: {command: cleanup, schedule: "*/5 * * * *"}',
    `  ${tool}-flower:`,
    '    type: continuous',
    `    build: {reuse-from: ${tool}-api}`,
    `    wait-for: [${tool}-api]`,
    '    run: {command: flower, port: 5555}',
    `  ${tool}-worker:`,
    '    type: continuous',
    `    build: {repository: "https://gitlab.example.org/${tool}/worker"}`,
    '    run: {command: work}',
    '',
  ].join('\n');
}

const TOOLS = ['flaky1', 'flaky2', 'flaky3'];

const deploy = (tool: string, file: string) =>
  runCli(['--api-url', instance!.url, '--tool', tool, 'deploy', file], { timeoutMs: 60_000 });

const deploymentId = (r: { stdout: string }): string | undefined =>
  /\(deployment (\S+)\)\.\.\./.exec(r.stdout)?.[1];

describe('deploy under 20 % injected 5xx and timeouts', { concurrency: 3 }, () => {
  for (const tool of TOOLS) {
    it(
      `${tool}: ends deployed (exit 0) or failed with a reason (exit 1), never hangs`,
      { timeout: 150_000 },
      async (t) => {
        const file = join(dir.path, `${tool}.yaml`);
        writeFileSync(file, configFor(tool));
        // Creating the deployment reads the tool's state from Toolforge first; when that still fails after the
        // retries the server answers 502 and nothing is created (the CLI says so, exit 1): deploy again, as a
        // person would.
        let r = await deploy(tool, file);
        let attempt = 1;
        for (; !deploymentId(r) && attempt < 3; attempt++) {
          assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
          assert.match(r.stderr, /^ComponentsClientError: /m);
          r = await deploy(tool, file);
        }
        const lines = r.stdout.trimEnd().split('\n');
        const id = deploymentId(r);
        assert.ok(id, `${r.stdout}\n${r.stderr}`);
        const final = await getDeployment(instance!.url, tool, id);
        t.diagnostic(`${tool}: ${attempt} deploy command(s), exit ${r.code}, deployment ${final.status}`);
        if (r.code === 0) {
          assert.equal(lines.at(-1), 'All components deployed', r.stdout);
          assert.equal(final.status, 'successful', describeTasks(final));
        } else {
          assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
          assert.match(lines.at(-1) ?? '', /^Deployment failed: /, r.stdout);
          assert.ok(
            lines.some((l) => /^\[❌\] \S+: \S/.test(l)),
            `a failure with its reason:\n${r.stdout}`,
          );
          assert.equal(final.status, 'failed', describeTasks(final));
          for (const task of final.tasks.filter((x) => x.state === 'failed'))
            assert.ok(task.reason && task.reason !== '', `${task.id} has a reason`);
        }
        for (const task of final.tasks)
          assert.ok(['succeeded', 'failed', 'skipped'].includes(task.state), describeTasks(final));
        const counts = buildsPerImage(sim!.state.toolBuilds(tool));
        for (const [image, n] of counts) assert.equal(n, 1, `${image} built ${n} times`);
      },
    );
  }

  after(() => {
    // The faults really happened (else this file proves nothing).
    const stats = sim!.stats();
    assert.ok(stats.injectedErrors > 0 && stats.slowResponses > 0, JSON.stringify(stats));
  });
});
