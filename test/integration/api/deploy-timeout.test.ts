/**
 * `?timeout=` on the deploy routes: the deadline of each wait for health in that deployment (not the server's
 * default), refused with a 422 when it is no duration; and the beta warning, which a local instance leaves out.
 * A real instance (API + executor + SQLite temp file) with the fake runtime, whose `web` never gets healthy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInstance, type RunningInstance } from '../../../src/instance/start-instance.js';
import { FakeRuntime } from '../../../src/runtimes/fake/fake-runtime.js';
import { BETA_WARNING } from '../../../src/api/envelope.js';
import { body, header, openHarness, webConfig } from '../../support/api-harness.js';

interface Json {
  data?: {
    deploy_id?: string;
    status?: string;
    tasks?: Array<{ id: string; state: string; reason?: string }>;
  };
  messages?: { warning?: string[]; error?: string[] };
}

describe('deploy ?timeout=', () => {
  let dir = '';
  let instance: RunningInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-timeout-'));
    instance = await startInstance({
      runtime: new FakeRuntime({ buildMs: 10, jobs: { web: { neverHealthy: true } } }),
      dataDir: dir,
      // The server's default is far beyond the test: only the deployment's own deadline can end the wait.
      executor: { waitTimeoutMs: 10 * 60_000, tick: { minMs: 20, maxMs: 100 }, stableForMs: 50 },
    });
  });
  after(async () => {
    await instance?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    path: string,
    payload?: unknown,
  ): Promise<{ status: number; json: Json }> {
    const response = await fetch(`${instance.url}/v1/tool/t1${path}`, {
      method,
      headers: { ...header('t1'), ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { body: JSON.stringify(payload) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Json };
  }

  test('a deployment waits for health as long as its timeout, then fails with the last reason seen', async () => {
    const started = Date.now();
    const created = await call('POST', '/deploy?timeout=2s', webConfig());
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const id = created.json.data?.deploy_id ?? '';
    const final = await call('GET', `/deployment/${id}?wait=30`);
    assert.equal(final.json.data?.status, 'failed');
    const web = final.json.data?.tasks?.find((t) => t.id === 'deploy:web');
    assert.equal(web?.state, 'failed');
    assert.match(
      web?.reason ?? '',
      /^timed out after 2s waiting for web to be healthy \(0\/1 replicas healthy\)$/,
    );
    const took = Date.now() - started;
    assert.ok(took >= 2_000 && took < 20_000, `took ${took} ms`);
  });

  test('a timeout that is no duration is a 422 naming the parameter, and nothing is created', async () => {
    const refused = await call('POST', '/deploy?timeout=soon', webConfig());
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.json.messages?.error, [
      'Validation error at timeout: Invalid timeout "soon": not a duration (e.g. 30s, 10m, 1h30m)',
    ]);
    const tooShort = await call('POST', '/deployment?timeout=0.1s');
    assert.equal(tooShort.status, 422);
  });
});

describe('the beta warning', () => {
  test("is in upstream's places by default, and nowhere when the app is told to leave it out", async () => {
    const upstream = await openHarness('sqlite');
    const local = await openHarness('sqlite', { betaWarning: false });
    try {
      const ask = (h: typeof upstream) =>
        h.app.inject({ method: 'GET', url: '/v1/tool/t1/config', headers: header('t1') });
      assert.deepEqual(body(await ask(upstream)).messages.warning, [BETA_WARNING]);
      const answer = body(await ask(local));
      assert.deepEqual(answer.messages.warning, []);
      assert.deepEqual(answer.messages.error, ['No configuration found for tool: t1']);
    } finally {
      await upstream.close();
      await local.close();
    }
  });
});
