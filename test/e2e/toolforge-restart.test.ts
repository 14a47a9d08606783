/**
 * Durability end to end: a spawned `serve --runtime toolforge` on a SQLite file is killed with SIGKILL while
 * builds run in the simulator, then started again on the same file. The deployment completes, and builds-api
 * saw exactly one build per image: the restarted server re-attached to the running builds by id.
 *
 * `serve` runs the executor with its production lease (30 s): the restarted process takes the deployment over
 * once the dead one's lease has expired, so this file takes up to about a minute.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.js';
import {
  buildsPerImage,
  deployYaml,
  describeTasks,
  spawnServe,
  tempDir,
  waitFinal,
  waitFor,
  writeToolhuntConfig,
} from '../support/toolforge-e2e.js';
import type { ServerProcess } from '../support/server-process.js';

let dir: ReturnType<typeof tempDir>;
let sim: Simulator | undefined;
const servers: ServerProcess[] = [];

before(async () => {
  dir = tempDir('tfc-e2e-restart-');
  sim = await startSimulator({
    seed: 8,
    builds: { durationMs: 3_000, resolveRefs: 'git' },
    jobs: { startMs: 50 },
  });
});

after(async () => {
  for (const s of servers) await s.kill();
  await sim?.close();
  dir?.dispose();
});

it(
  'kill -9 of serve mid-build, restart on the same SQLite file: completes, no build started twice',
  { timeout: 180_000 },
  async () => {
    const database = join(dir.path, 'components.db');
    const home = join(dir.path, 'home');
    const { file, api, cleanup } = writeToolhuntConfig(join(dir.path, 'toolhunt'));
    const first = await spawnServe(database, sim!.url, home);
    servers.push(first);
    const created = await deployYaml(first.url, 'toolhunt', readFileSync(file, 'utf8'));
    const id = created.deploy_id;
    // Both builds started in builds-api and their ids persisted: now the process dies without a word.
    const midway = await waitFor(
      first.url,
      'toolhunt',
      id,
      (d) => d.tasks.filter((t) => t.id.startsWith('build:') && t.external_id).length === 2,
      20_000,
    );
    await first.kill();
    assert.ok(
      midway.tasks.every((t) => t.state !== 'succeeded' || t.id.startsWith('build:')),
      `no job deployed before the kill:\n${describeTasks(midway)}`,
    );
    const buildIds = midway.tasks.filter((t) => t.id.startsWith('build:')).map((t) => t.external_id);

    const second = await spawnServe(database, sim!.url, home);
    servers.push(second);
    const final = await waitFinal(second.url, 'toolhunt', id, 90_000);
    assert.equal(final.status, 'successful', describeTasks(final));
    assert.ok(
      final.tasks.every((t) => t.state === 'succeeded'),
      describeTasks(final),
    );
    // The restarted server followed the very builds the first one started.
    assert.deepEqual(
      final.tasks.filter((t) => t.id.startsWith('build:')).map((t) => t.external_id),
      buildIds,
    );
    const builds = sim!.state.toolBuilds('toolhunt');
    assert.deepEqual(Object.fromEntries(buildsPerImage(builds)), {
      'toolhunt-api': 1,
      'toolhunt-cleanup': 1,
    });
    assert.deepEqual(builds.map((b) => b.parameters.source_url).sort(), [api, cleanup].sort());
    assert.equal(sim!.stats().routes['POST /builds/v1/tool/:toolname/builds'], 2);
    assert.deepEqual([...sim!.state.toolJobs('toolhunt').keys()].sort(), [
      'toolhunt-api',
      'toolhunt-cleanup',
      'toolhunt-flower',
    ]);
  },
);
