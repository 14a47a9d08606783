/**
 * End to end through real processes: the `toolforge-components deploy` CLI → a spawned `serve --runtime
 * toolforge` (SQLite temp file) → builds-api + jobs-api simulator on 127.0.0.1, with real git repositories.
 * The request's toolhunt flow, then a failing build (dependent skipped, independent branch deployed, exit 1).
 */
import { toolhuntDeployLines } from '../support/toolhunt-output.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.js';
import { runCli } from '../support/cli-kit.js';
import {
  buildsPerImage,
  getDeployment,
  makeGitRepo,
  spawnServe,
  tempDir,
  writeToolhuntConfig,
} from '../support/toolforge-e2e.js';
import type { ServerProcess } from '../support/server-process.js';

let dir: ReturnType<typeof tempDir>;
let sim: Simulator | undefined;
let server: ServerProcess | undefined;

before(async () => {
  dir = tempDir('tfc-e2e-cli-');
  sim = await startSimulator({
    seed: 6,
    builds: { durationMs: 300, resolveRefs: 'git', failImages: ['broken-api'] },
    jobs: { startMs: 50 },
  });
  server = await spawnServe(join(dir.path, 'components.db'), sim.url, join(dir.path, 'home'));
});

after(async () => {
  await server?.stop();
  await sim?.close();
  dir.dispose();
});

const cli = (tool: string, file: string) =>
  runCli(['--api-url', server!.url, '--tool', tool, 'deploy', file], { timeoutMs: 60_000 });

describe('deploy CLI → serve --runtime toolforge → simulator', { concurrency: 2 }, () => {
  it('deploys the toolhunt example and prints the request flow, exit 0', async () => {
    const { file, api, cleanup } = writeToolhuntConfig(join(dir.path, 'toolhunt'));
    const r = await cli('toolhunt', file);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${server!.output()}`);
    const id = /\(deployment (\S+)\)\.\.\./.exec(r.stdout)?.[1] ?? '';
    assert.match(id, /^\d{8}-\d{6}-[a-z0-9]{10}$/);
    assert.equal(r.stdout, [...toolhuntDeployLines(id), ''].join('\n'));
    // What the simulator saw: one build per repository, from the real commits, and the three jobs.
    const builds = sim!.state.toolBuilds('toolhunt');
    assert.deepEqual(builds.map((b) => b.parameters.source_url).sort(), [api, cleanup].sort());
    for (const b of builds) assert.match(b.resolvedRef, /^[0-9a-f]{40}$/);
    assert.deepEqual([...buildsPerImage(builds).values()], [1, 1]);
    const jobs = sim!.state.toolJobs('toolhunt');
    assert.deepEqual([...jobs.keys()].sort(), ['toolhunt-api', 'toolhunt-cleanup', 'toolhunt-flower']);
    const stored = await getDeployment(server!.url, 'toolhunt', id);
    assert.equal(stored.status, 'successful');
  });

  it('a failing build: [❌] with the reason, its dependent [⏭], the independent branch deployed, exit 1', async () => {
    const root = join(dir.path, 'broken');
    const file = join(root, 'toolforge.yaml');
    const brokenRepo = makeGitRepo(root, 'broken');
    const cronRepo = makeGitRepo(root, 'cron');
    const loneRepo = makeGitRepo(root, 'lone');
    writeFileSync(
      file,
      [
        'config-version: 0.1',
        'components:',
        '  broken-api:',
        '    type: continuous',
        `    build: {repository: "${brokenRepo}"}`,
        '    run: {command: web, port: 8000, health-check-http: /healthz}',
        '  broken-worker:',
        '    type: continuous',
        '    build: {reuse-from: broken-api}',
        '    run: {command: worker}',
        '  broken-cron:',
        '    type: scheduled',
        `    build: {repository: "${cronRepo}"}`,
        '    wait-for: [broken-worker]',
        '    run: {command: tick, schedule: "*/5 * * * *"}',
        '  lone-web:',
        '    type: continuous',
        `    build: {repository: "${loneRepo}"}`,
        '    run: {command: web}',
        '',
      ].join('\n'),
    );
    const r = await cli('broken', file);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const id = /\(deployment (\S+)\)\.\.\./.exec(r.stdout)?.[1] ?? '';
    const lines = r.stdout.split('\n');
    // The build's reason names its builds-api id, which the simulator draws at random.
    assert.match(
      lines[2] ?? '',
      /^\[❌\] broken-api: Build failed, you can check the build logs for more info: broken-api\(id:\S+\): .+$/,
    );
    assert.deepEqual(lines.toSpliced(2, 1), [
      `Starting deploy for broken (deployment ${id})...`,
      'Building images:',
      '[✅] broken-cron',
      '[✅] lone-web',
      'Deploying components:',
      '[⏭] broken-api (skipped: build of broken-api failed)',
      '[⏭] broken-worker (skipped: dependency broken-api failed)',
      '[⏭] broken-cron (skipped: dependency broken-api failed)',
      '[✅] lone-web',
      'Deployment failed: 1 failed, 3 skipped',
      '',
    ]);
    const stored = await getDeployment(server!.url, 'broken', id);
    assert.equal(stored.status, 'failed');
    assert.deepEqual(stored.tasks.map((t) => `${t.id} ${t.state}`).sort(), [
      'build:broken-api failed',
      'build:broken-cron succeeded',
      'build:lone-web succeeded',
      'deploy:broken-api skipped',
      'deploy:broken-cron skipped',
      'deploy:broken-worker skipped',
      'deploy:lone-web succeeded',
    ]);
    // The independent branch really runs; the skipped ones were never sent to jobs-api.
    const jobs = sim!.state.toolJobs('broken');
    assert.deepEqual([...jobs.keys()], ['lone-web']);
  });
});
