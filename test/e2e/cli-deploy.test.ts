/**
 * End to end: the real CLI process against the real server (startInstance: Fastify API + executor + SQLite temp
 * file), with the fake runtime standing in for Toolforge. The request's toolhunt flow, then status and the
 * deployment list; a failing build in a second tool.
 */
import { toolhuntDeployLines } from '../support/toolhunt-output.js';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { FakeRuntime } from '../../src/runtimes/fake/fake-runtime.js';
import { runCli } from '../support/cli-kit.js';

const TOOLHUNT = `config-version: 0.1
components:
  toolhunt-cleanup:
    type: scheduled
    build:
      repository: https://gitlab.example.org/toolhunt-cleanup
    wait-for:
      - toolhunt-api
    run:
      command: cleanup
      schedule: "*/5 * * * *"
  toolhunt-api:
    type: continuous
    build:
      repository: https://gitlab.example.org/toolhunt
    run:
      port: 8000
      health-check-http: /healthz
  toolhunt-flower:
    type: continuous
    build:
      reuse-from: toolhunt-api
    run:
      command: flower
      port: 5555
    wait-for:
      - toolhunt-api
`;

let dir: string;
let instance: RunningInstance;
let file: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
  file = join(dir, 'toolforge.yaml');
  writeFileSync(file, TOOLHUNT);
  instance = await startInstance({
    runtime: new FakeRuntime({
      buildMs: 150,
      jobStartMs: 50,
      jobHealthyMs: 100,
      builds: { 'broken-api': { failWith: 'npm ci exited with 1' } },
    }),
    dataDir: dir,
    executor: { stableForMs: 50, tick: { minMs: 20, maxMs: 100 }, retryBaseMs: 20 },
  });
});

after(async () => {
  await instance?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (tool: string): Record<string, string> => ({
  TOOLFORGE_COMPONENTS_API_URL: instance.url,
  TOOLFORGE_TOOL: tool,
});

describe('CLI against the real server', { concurrency: 2 }, () => {
  test('toolhunt: deploy shows the request flow and exits 0; status and deployment list then agree', async () => {
    const r = await runCli(['deploy', file], { env: env('toolhunt') });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const id = /\(deployment (\S+)\)\.\.\./.exec(r.stdout)?.[1] ?? '';
    assert.match(id, /^\d{8}-\d{6}-[a-z0-9]{10}$/);
    assert.equal(r.stdout, [...toolhuntDeployLines(id), ''].join('\n'));
    const [status, list] = await Promise.all([
      runCli(['status', '--json'], { env: env('toolhunt') }),
      runCli(['deployment', 'list'], { env: env('toolhunt') }),
    ]);
    assert.equal(status.code, 0, status.stderr);
    const components = (JSON.parse(status.stdout) as { components: Array<{ name: string; status: string }> })
      .components;
    assert.deepEqual(
      components.map((c) => [c.name, c.status]),
      [
        ['toolhunt-cleanup', 'managed'],
        ['toolhunt-api', 'managed'],
        ['toolhunt-flower', 'managed'],
      ],
    );
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${id} {2}\\d{8}-\\d{6} {2}successful`));
  });

  test('a failing build: [❌] with the reason, its dependent skipped, exit 1', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      [
        'config-version: 0.1',
        'components:',
        '  broken-api:',
        '    type: continuous',
        '    build: {repository: "https://gitlab.example.org/broken"}',
        '    run: {command: web}',
        '  broken-worker:',
        '    type: continuous',
        '    build: {reuse-from: broken-api}',
        '    run: {command: worker}',
        '',
      ].join('\n'),
    );
    const r = await runCli(['deploy', broken], { env: env('broken') });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^\[❌\] broken-api: .*npm ci exited with 1/m);
    assert.match(r.stdout, /^\[⏭\] broken-worker \(skipped: /m);
    assert.match(r.stdout, /^Deployment failed: /m);
  });
});
