/**
 * Two server replicas (spawned processes) on one PostgreSQL schema, both with the Toolforge runtime on one
 * simulator. The replica holding the deployment's lease is killed with SIGKILL mid-build; the other takes the
 * deployment over once the lease has expired and completes it, without starting any build twice.
 *
 * `serve` has no flag for the lease TTL, so the replicas run test/support/toolforge-instance.ts (startInstance
 * with a 1.5 s lease and short ticks).
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pg from 'pg';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/stores.js';
import {
  buildsPerImage,
  deployYaml,
  describeTasks,
  spawnInstance,
  tempDir,
  waitFinal,
  waitFor,
  type InstanceTuning,
} from '../support/toolforge-e2e.js';
import type { ServerProcess } from '../support/server-process.js';

let dir: ReturnType<typeof tempDir>;
let sim: Simulator | undefined;
let database: TestDatabase | undefined;
const replicas: ServerProcess[] = [];

const TUNING: InstanceTuning = {
  executor: {
    leaseTtlMs: 1_500,
    tick: { minMs: 20, maxMs: 200 },
    stableForMs: 100,
    unknownHealthStableForMs: 200,
    retryBaseMs: 20,
  },
  runtime: { timeoutMs: 5_000 },
};

before(async () => {
  dir = tempDir('tfc-e2e-replicas-');
  database = await createTestDatabase('postgres');
  sim = await startSimulator({
    seed: 9,
    builds: { durationMs: 2_000 },
    jobs: { startMs: 50 },
  });
});

after(async () => {
  for (const r of replicas) await r.kill();
  await sim?.close();
  await database?.dispose();
  dir?.dispose();
});

/** `listening <url> owner <id>`: the executor's lease owner id of a replica. */
function ownerOf(replica: ServerProcess): string {
  const owner = / owner (\S+)/.exec(replica.output())?.[1];
  assert.ok(owner, replica.output());
  return owner;
}

async function leaseOwner(db: TestDatabase, deploymentId: string): Promise<string | undefined> {
  const schema = new URL(db.url).searchParams.get('schema') ?? 'public';
  const client = new pg.Client({ connectionString: db.url.split('?')[0] });
  await client.connect();
  try {
    const result = await client.query<{ owner: string }>(
      `SELECT owner FROM "${schema}".leases WHERE deployment_id = $1`,
      [deploymentId],
    );
    return result.rows[0]?.owner;
  } finally {
    await client.end();
  }
}

const CONFIG = `config-version: 0.1
components:
  rep-api:
    type: continuous
    build: {repository: "https://gitlab.example.org/e2e/rep-api"}
    run: {command: serve, port: 8000, health-check-http: /healthz}
  rep-worker:
    type: continuous
    build: {repository: "https://gitlab.example.org/e2e/rep-worker"}
    run: {command: work}
    wait-for: [rep-api]
  rep-cron:
    type: scheduled
    build: {reuse-from: rep-worker}
    run: {command: tick, schedule: "*/5 * * * *"}
    wait-for: [rep-worker]
`;

it(
  'two replicas on PostgreSQL, the lease holder killed mid-build: the other takes over and completes',
  { timeout: 180_000 },
  async () => {
    const db = database!;
    // One after the other: the first one creates the schema.
    const a = await spawnInstance(db.url, sim!.url, join(dir.path, 'a'), TUNING);
    replicas.push(a);
    const b = await spawnInstance(db.url, sim!.url, join(dir.path, 'b'), TUNING);
    replicas.push(b);
    const byOwner = new Map([
      [ownerOf(a), a],
      [ownerOf(b), b],
    ]);

    const created = await deployYaml(a.url, 'replicas', CONFIG);
    const id = created.deploy_id;
    await waitFor(
      b.url,
      'replicas',
      id,
      (d) => d.tasks.filter((t) => t.id.startsWith('build:') && t.external_id).length === 2,
      20_000,
    );
    const holder = await leaseOwner(db, id);
    assert.ok(holder && byOwner.has(holder), `lease held by a replica: ${holder}`);
    const victim = byOwner.get(holder)!;
    const survivor = victim === a ? b : a;
    await victim.kill();

    const final = await waitFinal(survivor.url, 'replicas', id, 60_000);
    assert.equal(final.status, 'successful', describeTasks(final));
    assert.ok(
      final.tasks.every((t) => t.state === 'succeeded'),
      describeTasks(final),
    );
    assert.equal(await leaseOwner(db, id), undefined, 'the survivor released the lease when done');
    assert.deepEqual(Object.fromEntries(buildsPerImage(sim!.state.toolBuilds('replicas'))), {
      'rep-api': 1,
      'rep-worker': 1,
    });
    assert.deepEqual([...sim!.state.toolJobs('replicas').keys()].sort(), [
      'rep-api',
      'rep-cron',
      'rep-worker',
    ]);
  },
);
