/**
 * The new routes: status, deploy (only-plan, stale plan id), events over SSE on a real loopback server,
 * long-poll `?wait=` and `/result`. The test plays the executor by writing task/deployment transitions to the
 * store, as the real executor (possibly on another replica) would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as undiciRequest } from 'undici';
import { buildApp } from '../../../src/api/app.js';
import { FakeRuntime } from '../../../src/runtimes/fake/fake-runtime.js';
import { startServer, type StartedServer } from '../../../src/api/server.js';
import { STORES } from '../../support/stores.js';
import { tapStore } from '../../support/store-tap.js';
import { body, header, openHarness, postConfig, webConfig, type Harness } from '../../support/api-harness.js';

const H = header;

async function finish(h: Harness, id: string, state: 'successful' | 'failed'): Promise<void> {
  for (const task of await h.store.listTasks(id)) {
    const taskState =
      state === 'failed' && task.kind === 'build' ? 'failed' : state === 'failed' ? 'skipped' : 'succeeded';
    const reason =
      taskState === 'failed'
        ? 'build failed: exit 1'
        : taskState === 'skipped'
          ? 'dependency build:web failed'
          : undefined;
    await h.store.updateTask(id, task.id, { state: taskState, ...(reason ? { reason } : {}) });
    await h.store.appendEvent({
      deploymentId: id,
      at: new Date().toISOString(),
      type: 'task',
      taskId: task.id,
      state: taskState,
    });
  }
  await h.store.updateDeployment(id, { state });
  await h.store.appendEvent({ deploymentId: id, at: new Date().toISOString(), type: 'deployment', state });
}

for (const kind of STORES) {
  describe(`plan routes: ${kind}`, () => {
    let h: Harness;
    let server: StartedServer;
    let notified: string[];
    before(async () => {
      notified = [];
      h = await openHarness(kind, {
        scheduler: { notify: (id) => notified.push(id) },
        limits: { pollIntervalMs: 20 },
      });
      server = await startServer({
        deps: { store: h.store, runtime: h.runtime, limits: { pollIntervalMs: 20 } },
      });
    });
    after(async () => {
      await server.close();
      await h.close();
    });

    test('status answers for a tool with and without config', async () => {
      const empty = await h.app.inject({ method: 'GET', url: '/v1/tool/st/status', headers: H('st') });
      assert.equal(empty.statusCode, 200, empty.body);
      await postConfig(h.app, 'st');
      const r = await h.app.inject({ method: 'GET', url: '/v1/tool/st/status', headers: H('st') });
      assert.equal(r.statusCode, 200, r.body);
      assert.ok(body(r).data);
    });

    test('deploy?only-plan=true returns the plan and changes nothing', async () => {
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/op/deploy?only-plan=true',
        headers: H('op'),
        payload: webConfig(),
      });
      assert.equal(r.statusCode, 200, r.body);
      const plan = body(r).data as { format_version: string; plan_id: string; tasks: unknown[] };
      assert.equal(plan.format_version, '1.1', 'the documented plan JSON');
      assert.equal(typeof plan.plan_id, 'string');
      assert.ok(plan.tasks.length > 0);
      assert.equal(await h.store.getConfig('op'), undefined, 'config not stored');
      assert.deepEqual(await h.store.listDeployments('op'), []);
      const none = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/op2/deploy?only-plan=true',
        headers: H('op2'),
      });
      assert.equal(none.statusCode, 404, 'empty body plans the stored config, and there is none');
    });

    test('deploy stores the config, creates the deployment with its plan and notifies the executor', async () => {
      const planned = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/dp/deploy?only-plan=true',
        headers: H('dp'),
        payload: webConfig(),
      });
      const planId = (body(planned).data as { plan_id: string }).plan_id;
      const r = await h.app.inject({
        method: 'POST',
        url: `/v1/tool/dp/deploy?plan-id=${planId}`,
        headers: H('dp'),
        payload: webConfig(),
      });
      assert.equal(r.statusCode, 200, r.body);
      const data = body(r).data as {
        deploy_id: string;
        status: string;
        plan: { plan_id: string };
        tasks: unknown[];
      };
      assert.equal(data.status, 'pending');
      assert.equal(data.plan.plan_id, planId);
      assert.ok(notified.includes(data.deploy_id));
      assert.deepEqual((await h.store.getConfig('dp'))?.raw, webConfig());
      assert.equal((await h.store.listTasks(data.deploy_id)).length, data.tasks.length);
    });

    test('a stale plan id is refused with 409 saying what changed', async () => {
      const planned = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/sp/deploy?only-plan=true',
        headers: H('sp'),
        payload: webConfig(),
      });
      const planId = (body(planned).data as { plan_id: string }).plan_id;
      const changed = webConfig();
      (changed.components as Record<string, { run: Record<string, unknown> }>).web!.run.command = 'web2';
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/sp/deploy',
        headers: H('sp'),
        payload: { ...changed, plan_id: planId },
      });
      assert.equal(r.statusCode, 409, r.body);
      assert.match(
        body(r).messages.error?.[0] ?? '',
        new RegExp(`^Plan ${planId} is stale: .*the config changed`),
      );
      assert.equal(await h.store.getConfig('sp'), undefined, 'a refused deploy stores nothing');
    });

    test('GET /deployment/{id}?wait= holds until the deployment is final; /result follows the outcome', async () => {
      await postConfig(h.app, 'lp');
      const created = await h.app.inject({ method: 'POST', url: '/v1/tool/lp/deployment', headers: H('lp') });
      const id = (body(created).data as { deploy_id: string }).deploy_id;

      const running = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/lp/deployment/${id}/result`,
        headers: H('lp'),
      });
      assert.equal(running.statusCode, 429);
      assert.equal(running.headers['retry-after'], '5');
      assert.match(body(running).messages.error?.[0] ?? '', new RegExp(`Deployment ${id} is still pending`));

      // An app over a store that tells when the long-poll reads it: finish only once it is waiting.
      const tapped = tapStore(h.store);
      const app = await buildApp({ store: tapped.store, runtime: h.runtime, limits: { pollIntervalMs: 20 } });
      after(() => app.close());
      const polled = tapped.called('getDeployment', 2); // the route's read, then one from the waiting loop
      const waiting = app.inject({
        method: 'GET',
        url: `/v1/tool/lp/deployment/${id}?wait=30`,
        headers: H('lp'),
      });
      await Promise.race([polled, waiting.then(() => assert.fail('the long-poll answered before the end'))]);
      await finish(h, id, 'successful');
      const done = await waiting;
      assert.equal((body(done).data as { status: string }).status, 'successful');
      const result = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/lp/deployment/${id}/result`,
        headers: H('lp'),
      });
      assert.equal(result.statusCode, 200);

      const second = await h.app.inject({ method: 'POST', url: '/v1/tool/lp/deployment', headers: H('lp') });
      const id2 = (body(second).data as { deploy_id: string }).deploy_id;
      await finish(h, id2, 'failed');
      const failed = await h.app.inject({
        method: 'GET',
        url: `/v1/tool/lp/deployment/${id2}/result`,
        headers: H('lp'),
      });
      assert.equal(failed.statusCode, 409);
      assert.match(
        body(failed).messages.error?.[0] ?? '',
        new RegExp(`^Deployment ${id2} ended failed: web: build failed \\(build failed: exit 1\\)`),
      );
      assert.ok((body(failed).messages.error ?? []).some((e) => e.startsWith('web: deploy skipped')));
    });

    test('POST /deployment?wait= returns early when the wait elapses (still pending)', async () => {
      await postConfig(h.app, 'lp2');
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/tool/lp2/deployment?wait=1',
        headers: H('lp2'),
      });
      assert.equal(r.statusCode, 200);
      assert.equal((body(r).data as { status: string }).status, 'pending');
    });

    test('events: SSE replays stored events, streams new ones, ends when final; Last-Event-ID resumes', async () => {
      await postConfig(h.app, 'ev');
      const created = await h.app.inject({ method: 'POST', url: '/v1/tool/ev/deployment', headers: H('ev') });
      const id = (body(created).data as { deploy_id: string }).deploy_id;
      const response = await undiciRequest(`${server.url}/v1/tool/ev/deployment/${id}/events`, {
        headers: H('ev'),
      });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/event-stream/);
      // Finish only once the stream has replayed every stored event: it is open and following.
      const stored = (await h.store.listEvents(id)).length;
      const chunks = response.body[Symbol.asyncIterator]();
      let stream = '';
      const readUntil = async (done: () => boolean): Promise<void> => {
        while (!done()) {
          const next = await chunks.next();
          if (next.done === true) return;
          stream += Buffer.from(next.value as Uint8Array).toString('utf8');
        }
      };
      await readUntil(() => stream.includes(`id: ${stored}\n`));
      await finish(h, id, 'successful');
      await readUntil(() => false);
      const ids = [...stream.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      const count = (await h.store.listEvents(id)).length;
      assert.deepEqual(
        ids,
        Array.from({ length: count }, (_, i) => i + 1),
      );
      assert.match(stream, /event: end\ndata: \{"state":"successful"/);

      const resumed = await undiciRequest(`${server.url}/v1/tool/ev/deployment/${id}/events`, {
        headers: { ...H('ev'), 'last-event-id': String(count - 1) },
      });
      const rest = await resumed.body.text();
      assert.deepEqual(
        [...rest.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])),
        [count],
      );

      const other = await undiciRequest(`${server.url}/v1/tool/ev/deployment/${id}/events`, {
        headers: H('someone-else'),
      });
      assert.equal(other.statusCode, 403);
      await other.body.text();
    });

    test('closing the server ends open long-polls and streams promptly', async () => {
      const tapped = tapStore(h.store);
      const app = await buildApp({
        store: tapped.store,
        runtime: new FakeRuntime(),
        limits: { pollIntervalMs: 20 },
      });
      await postConfig(h.app, 'cl');
      const created = await h.app.inject({ method: 'POST', url: '/v1/tool/cl/deployment', headers: H('cl') });
      const id = (body(created).data as { deploy_id: string }).deploy_id;
      const polled = tapped.called('getDeployment', 2); // the long-poll is in its waiting loop
      const pending = app.inject({
        method: 'GET',
        url: `/v1/tool/cl/deployment/${id}?wait=300`,
        headers: H('cl'),
      });
      await Promise.race([
        polled,
        pending.then(() => assert.fail('the long-poll answered before the close')),
      ]);
      await app.close();
      const r = await pending;
      assert.equal(r.statusCode, 200);
    });
  });
}
