/**
 * `logs COMPONENT --build` on Toolforge: the build ran on builds-api (here its simulator), not on this machine,
 * so the CLI asks the components server, whose Toolforge runtime reads builds-api's logs endpoint. Real processes:
 * the CLI, the server (in this process: API + executor + SQLite) and the simulator on loopback.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInstance, type RunningInstance } from '../../../src/instance/start-instance.js';
import { startSimulator, type Simulator } from '../../../src/simulator/simulator.js';
import { ToolforgeRuntime } from '../../../src/runtimes/toolforge/toolforge-runtime.js';
import { runCli } from '../../support/cli-kit.js';
import { makeGitRepo } from '../../support/toolforge-e2e.js';

describe('logs --build against a Toolforge-runtime server', () => {
  let dir = '';
  let sim: Simulator;
  let instance: RunningInstance;
  let file = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logs-build-tf-'));
    sim = await startSimulator({ builds: { durationMs: 50, failImages: ['web'] }, jobs: { startMs: 10 } });
    instance = await startInstance({
      runtime: new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 5_000 }),
      dataDir: join(dir, 'server'),
      executor: { tick: { minMs: 20, maxMs: 100 }, stableForMs: 50 },
    });
    const repo = makeGitRepo(dir, 'web');
    file = join(dir, 'toolforge.yaml');
    writeFileSync(
      file,
      [
        'config-version: 0.1',
        'components:',
        '  web:',
        '    type: continuous',
        '    build:',
        `      repository: ${repo}`,
        '    run:',
        '      command: web',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await instance?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints builds-api's log of the failed build, and the deploy points at the command", async () => {
    const env = { TOOLFORGE_COMPONENTS_API_URL: instance.url, TOOLFORGE_TOOL: 't1', NO_COLOR: '1' };
    const deploy = await runCli(['deploy', file], { env });
    assert.equal(deploy.code, 1, `${deploy.stdout}\n${deploy.stderr}`);
    assert.match(deploy.stderr, /^The build log of web: toolforge-components logs web --build$/m);

    const logs = await runCli(['logs', 'web', '--build'], { env });
    assert.equal(logs.code, 0, logs.stderr);
    const [build] = sim.state.toolBuilds('t1');
    assert.ok(build);
    assert.equal(logs.stderr, `Build ${build.id} of web (failed):\n`);
    assert.match(
      logs.stdout,
      /^\[step-clone\] Cloning .*\n\[step-build\] Building image web\n\[step-build\] ERROR: failed to build: exit status 1\n$/,
    );

    const none = await runCli(['logs', 'nothing', '--build'], { env });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No build found for component: nothing/);
  });
});
