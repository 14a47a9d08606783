/**
 * Deployment events as upstream sends them: created, succeeded and failed (cancelled and timed out count as
 * failed), to the logs service behind the API gateway, with the requesting user, the jobs and builds, and the
 * error of a failure. A real server (startInstance) with the Toolforge runtime on the builds/jobs/logs simulator;
 * a logs service that is down never fails a deployment, it only costs a warning.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startInstance, type RunningInstance } from '../../../src/instance/start-instance.js';
import { ToolforgeEventSink } from '../../../src/instance/toolforge-event-sink.js';
import { LocalEventSink, deploymentEventLog } from '../../../src/instance/local-event-sink.js';
import { DeploymentEventReporter } from '../../../src/api/deployment-event-reporter.js';
import { TokenKeyring } from '../../../src/api/token-keyring.js';
import type { DeploymentEventSink, DeploymentLogEvent } from '../../../src/execute/deployment-events.js';
import { ToolforgeRuntime } from '../../../src/runtimes/toolforge/toolforge-runtime.js';
import { startSimulator, type Simulator } from '../../../src/simulator/simulator.js';
import { receivedDeploymentEvents, setLogsServiceDown } from '../../../src/simulator/logs-routes.js';
import { openTestStore } from '../../support/stores.js';
import { sampleDeployment } from '../../support/deployment-fixtures.js';

const TOOL = 'evt';

/** One continuous component built from source and a scheduled one reusing its image: no readiness waits. */
function config(): Record<string, unknown> {
  return {
    config_version: 'v1beta1',
    components: {
      web: {
        component_type: 'continuous',
        build: { repository: 'https://gitlab.wikimedia.org/toolforge-repos/evt', ref: 'main' },
        run: { command: 'web' },
      },
      cron: {
        component_type: 'scheduled',
        build: { reuse_from: 'web' },
        run: { command: 'cleanup', schedule: '@daily' },
      },
    },
  };
}

async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: { data?: Record<string, unknown>; messages: Record<string, string[]> } }> {
  const response = await request(`${base}/v1/tool/${TOOL}${path}`, {
    method,
    headers: {
      'x-toolforge-tool': TOOL,
      'x-toolforge-user': 'alice',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, json: (await response.body.json()) as never };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

describe('deployment events on Toolforge (simulator)', () => {
  let sim: Simulator;
  let dir: string;
  let instance: RunningInstance | undefined;
  const warnings: string[] = [];

  before(async () => {
    sim = await startSimulator({ builds: { durationMs: 80, resolveRefs: 'fake' }, jobs: { startMs: 20 } });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-events-'));
    warnings.length = 0;
    setLogsServiceDown(sim.state, undefined);
    sim.configure({ builds: { durationMs: 80, resolveRefs: 'fake' } });
  });
  afterEach(async () => {
    await instance?.close();
    instance = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(events: DeploymentEventSink = new ToolforgeEventSink({ apiUrl: sim.url })) {
    instance = await startInstance({
      runtime: new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 5_000 }),
      dataDir: dir,
      port: 0,
      tokenKeys: TokenKeyring.ephemeral(),
      events,
      warn: (message) => warnings.push(message),
      executor: { tick: { minMs: 10, maxMs: 50 }, stableForMs: 20, retryBaseMs: 10 },
    });
    return instance;
  }

  async function deploy(running: RunningInstance): Promise<Record<string, unknown>> {
    assert.equal((await call(running.url, 'POST', '/config', config())).status, 200);
    const created = await call(running.url, 'POST', '/deployment?wait=60', { description: 'release 1.2' });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    await running.events.flush();
    return created.json.data!;
  }

  /** What the logs service stored, read back over HTTP as any client of it would. */
  async function logged(): Promise<DeploymentLogEvent[]> {
    const response = await request(`${sim.url}/logs/v1/tool/${TOOL}/source/deployments/log`, {
      headers: { 'x-toolforge-tool': TOOL },
    });
    assert.equal(response.statusCode, 200);
    return ((await response.body.json()) as { events: DeploymentLogEvent[] }).events;
  }

  test('a successful deployment: created, then succeeded, with the user, the jobs and the builds', async () => {
    const before = (await logged()).length;
    const deployment = await deploy(await start());
    assert.equal(deployment.status, 'successful');
    const events = (await logged()).slice(before);
    assert.deepEqual(
      events.map((e) => [e.event_type, e.deployment_id, e.user_name, e.source, e.description]),
      [
        ['created', deployment.deploy_id, 'alice', 'deployments', 'release 1.2'],
        ['succeeded', deployment.deploy_id, 'alice', 'deployments', 'release 1.2'],
      ],
    );
    const [created, succeeded] = events as [DeploymentLogEvent, DeploymentLogEvent];
    assert.deepEqual(Object.keys(created.builds), ['web', 'cron']);
    assert.equal((created.builds.web as { build_status: string }).build_status, 'pending');
    assert.equal((succeeded.builds.web as { build_status: string }).build_status, 'successful');
    assert.deepEqual(succeeded.jobs, deployment.runs);
    assert.equal(succeeded.error, undefined);
    assert.ok(Date.parse(created.datetime) <= Date.parse(succeeded.datetime));
    assert.deepEqual(warnings, []);
  });

  test('a failed deployment: the failed event carries the error', async () => {
    sim.configure({ builds: { durationMs: 80, resolveRefs: 'fake', failImages: ['web'] } });
    const before = receivedDeploymentEvents(sim.state, TOOL).length;
    const deployment = await deploy(await start());
    assert.equal(deployment.status, 'failed');
    const events = receivedDeploymentEvents(sim.state, TOOL)
      .slice(before)
      .map((r) => r.event);
    assert.deepEqual(
      events.map((e) => e.event_type),
      ['created', 'failed'],
    );
    assert.equal(events[1]?.error, deployment.long_status);
    assert.match(String(events[1]?.error), /web/);
  });

  test('a cancelled deployment counts as failed', async () => {
    sim.configure({ builds: { durationMs: 5_000, resolveRefs: 'fake' } });
    const running = await start();
    assert.equal((await call(running.url, 'POST', '/config', config())).status, 200);
    const created = await call(running.url, 'POST', '/deployment', {});
    const id = String(created.json.data!.deploy_id);
    await running.events.flush(); // the created event is in
    const before = receivedDeploymentEvents(sim.state, TOOL).length;
    const cancel = await request(`${running.url}/v1/tool/${TOOL}/deployment/${id}/cancel`, {
      method: 'PUT',
      headers: { 'x-toolforge-tool': TOOL },
    });
    assert.equal(cancel.statusCode, 200, await cancel.body.text());
    const final = await call(running.url, 'GET', `/deployment/${id}?wait=30`);
    assert.equal(final.json.data!.status, 'cancelled');
    await running.events.flush();
    const [failed] = receivedDeploymentEvents(sim.state, TOOL)
      .slice(before)
      .map((r) => r.event);
    assert.equal(failed?.event_type, 'failed');
    assert.equal(failed?.deployment_id, id);
    assert.equal(failed?.error, 'Deployment was cancelled');
  });

  test('a resumed deployment still names the user who asked for it', async () => {
    sim.configure({ builds: { durationMs: 1_500, resolveRefs: 'fake' } });
    const first = await start();
    const databaseUrl = join(dir, 'components.db');
    assert.equal((await call(first.url, 'POST', '/config', config())).status, 200);
    const id = String((await call(first.url, 'POST', '/deployment', {})).json.data!.deploy_id);
    await first.close(); // the build keeps running in builds-api; the deployment stays `running`
    instance = undefined;
    const second = await startInstance({
      runtime: new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 5_000 }),
      dataDir: dir,
      databaseUrl,
      port: 0,
      tokenKeys: TokenKeyring.ephemeral(),
      events: new ToolforgeEventSink({ apiUrl: sim.url }),
      warn: (message) => warnings.push(message),
      executor: { tick: { minMs: 10, maxMs: 50 }, stableForMs: 20, retryBaseMs: 10 },
    });
    instance = second;
    const final = await call(second.url, 'GET', `/deployment/${id}?wait=60`);
    assert.equal(final.json.data!.status, 'successful');
    await second.events.flush();
    const mine = receivedDeploymentEvents(sim.state, TOOL)
      .map((r) => r.event)
      .filter((e) => e.deployment_id === id);
    assert.deepEqual(
      mine.map((e) => [e.event_type, e.user_name]),
      [
        ['created', 'alice'],
        ['succeeded', 'alice'],
      ],
    );
  });

  test('logs service answering 503: the deployment still succeeds, each lost event is a warning', async () => {
    setLogsServiceDown(sim.state, 503);
    const before = receivedDeploymentEvents(sim.state, TOOL).length;
    const deployment = await deploy(
      await start(new ToolforgeEventSink({ apiUrl: sim.url, backoffBaseMs: 5 })),
    );
    assert.equal(deployment.status, 'successful');
    assert.equal(receivedDeploymentEvents(sim.state, TOOL).length, before);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(
      warnings[0]!,
      new RegExp(
        `^could not send the created event of deployment ${String(deployment.deploy_id)} \\(tool evt\\): .*503`,
      ),
    );
    assert.match(warnings[1]!, /^could not send the succeeded event/);
  });

  test('logs service unreachable: the deployment still succeeds, with warnings', async () => {
    const down = new ToolforgeEventSink({
      apiUrl: `http://127.0.0.1:${await closedPort()}`,
      backoffBaseMs: 5,
    });
    const deployment = await deploy(await start(down));
    assert.equal(deployment.status, 'successful');
    assert.deepEqual(
      warnings.map((w) => w.split(' event ')[0]),
      ['could not send the created', 'could not send the succeeded'],
    );
    assert.match(warnings[0]!, /cannot reach logs-api/);
  });
});

describe('deployment events of the local runtime', () => {
  test("one JSON line per event in the tool's event log", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-events-'));
    const { store, dispose } = await openTestStore('sqlite');
    try {
      const reporter = new DeploymentEventReporter({ store, sink: new LocalEventSink(dir) });
      const { deployment, tasks } = sampleDeployment('loc', { state: 'pending' });
      await store.createDeployment({ ...deployment, requestedBy: 'bob' }, tasks);
      reporter.report({ ...deployment, requestedBy: 'bob' });
      const failed = await store.updateDeployment(deployment.id, {
        state: 'failed',
        longStatus: 'Got exception: boom',
        finishedAt: '2026-01-01T00:10:00.000Z',
      });
      reporter.report(failed!);
      reporter.report({ ...failed!, state: 'running' }); // not an event
      await reporter.flush();
      const lines = readFileSync(deploymentEventLog(dir, 'loc'), 'utf8').trimEnd().split('\n');
      const events = lines.map((line) => JSON.parse(line) as DeploymentLogEvent);
      assert.deepEqual(
        events.map((e) => [e.event_type, e.user_name, e.error, e.datetime]),
        [
          ['created', 'bob', undefined, deployment.createdAt],
          ['failed', 'bob', 'Got exception: boom', '2026-01-01T00:10:00.000Z'],
        ],
      );
      assert.equal(deploymentEventLog(dir, 'loc'), join(dir, 'logs', 'loc', 'events', 'deployments.jsonl'));
    } finally {
      await dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
