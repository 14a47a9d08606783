/**
 * The dashboard's guards over plain HTTP against a real server on loopback: tool isolation behind the gateway
 * (header) and on the local instance (no login, loopback only), cross-site protection of its actions, and a
 * Content-Security-Policy without inline code on every page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startInstance, type RunningInstance } from '../../../src/instance/start-instance.js';
import {
  api,
  config,
  deploy,
  gateway,
  startDashboardServer,
  type DashboardServer,
} from '../../support/dashboard-kit.js';

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; csp: string }> {
  const response = await request(url, { headers });
  return {
    status: response.statusCode,
    text: await response.body.text(),
    csp: String(response.headers['content-security-policy'] ?? ''),
  };
}

describe('dashboard behind the gateway', () => {
  let server: DashboardServer;
  let running: string;
  const tool = 'guarded';

  before(async () => {
    server = await startDashboardServer({ builds: { stuck: { durationMs: 10 * 60_000 } } });
    running = await deploy(server, tool, config(['stuck']));
  });
  after(async () => {
    await api(server, tool, 'PUT', `/deployment/${running}/cancel`);
    await server?.close();
  });

  test('a page without the gateway header is refused when the runtime is not the local one', async () => {
    for (const path of ['/', `/tools/${tool}`])
      assert.equal((await get(`${server.url}${path}`)).status, 401, path);
  });

  test("another tool's pages, event stream, logs and actions are refused (403)", async () => {
    const as = gateway('intruder');
    for (const path of [
      `/tools/${tool}`,
      `/tools/${tool}/deployments/${running}`,
      `/tools/${tool}/deployments/${running}/events`,
      `/tools/${tool}/components/stuck/logs?kind=build`,
      `/tools/${tool}/plan`,
    ]) {
      const answer = await get(`${server.url}${path}`, as);
      assert.equal(answer.status, 403, path);
      assert.doesNotMatch(answer.text, /stuck/, path);
    }
    const cancel = await request(`${server.url}/tools/${tool}/deployments/${running}/cancel`, {
      method: 'POST',
      headers: { ...as, origin: server.url },
    });
    assert.equal(cancel.statusCode, 403);
    await cancel.body.dump();
    assert.equal((await server.instance.store.getDeployment(tool, running))?.state, 'running');
  });

  test('a cross-site cancel or deploy is refused and changes nothing', async () => {
    const cancelUrl = `${server.url}/tools/${tool}/deployments/${running}/cancel`;
    const attempts: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { 'sec-fetch-site': 'cross-site', origin: server.url },
      { 'sec-fetch-site': 'same-site' },
      {}, // neither header: not a browser on one of our pages
    ];
    for (const headers of attempts) {
      const response = await request(cancelUrl, {
        method: 'POST',
        headers: { ...gateway(tool), ...headers },
      });
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      await response.body.dump();
    }
    const deployUrl = `${server.url}/tools/${tool}/deploy`;
    const deployAttempt = await request(deployUrl, {
      method: 'POST',
      headers: {
        ...gateway(tool),
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'config=x&plan_id=y',
    });
    assert.equal(deployAttempt.statusCode, 403);
    await deployAttempt.body.dump();
    assert.equal((await server.instance.store.getDeployment(tool, running))?.state, 'running');
    assert.equal((await server.instance.store.listDeployments(tool)).length, 1);
  });

  test('a same-origin cancel is accepted and lands back on the deployment page', async () => {
    const other = 'cancelled';
    const id = await deploy(server, other, config(['stuck']));
    const response = await request(`${server.url}/tools/${other}/deployments/${id}/cancel`, {
      method: 'POST',
      headers: { ...gateway(other), origin: server.url, 'sec-fetch-site': 'same-origin' },
    });
    await response.body.dump();
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/tools/${other}/deployments/${id}`);
    assert.notEqual((await server.instance.store.getDeployment(other, id))?.state, 'running');
  });

  test('every page carries a CSP without unsafe-inline, and no inline script or style', async () => {
    for (const path of [
      '/',
      `/tools/${tool}`,
      `/tools/${tool}/deployments/${running}`,
      `/tools/${tool}/plan`,
    ]) {
      const page = await get(`${server.url}${path}`, gateway(tool));
      assert.equal(page.status, 200, path);
      assert.match(page.csp, /default-src 'self'/);
      assert.match(page.csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(page.csp, /unsafe-inline|unsafe-eval/);
      assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: inline script`);
      assert.doesNotMatch(page.text, /\sstyle=|<style/, `${path}: inline style`);
      assert.doesNotMatch(page.text, /\son[a-z]+=/, `${path}: inline event handler`);
    }
  });

  test('a log is only asked of the runtime for a possible component name', async () => {
    for (const name of ['..%2F..%2Fetc%2Fpasswd', 'UPPER', 'a..b']) {
      const answer = await get(`${server.url}/tools/${tool}/components/${name}/logs?kind=job`, gateway(tool));
      assert.equal(answer.status, 404, name);
      assert.match(answer.text, /invalid component name/);
    }
  });

  test('the pages stay out of the OpenAPI document', async () => {
    const document = JSON.parse((await get(`${server.url}/openapi.json`)).text) as {
      paths: Record<string, unknown>;
    };
    assert.ok(Object.keys(document.paths).some((path) => path.startsWith('/v1/tool/')));
    assert.deepEqual(
      Object.keys(document.paths).filter((path) => !path.startsWith('/v1/') && path !== '/metrics'),
      [],
    );
  });

  test('text from a config or a task is escaped, never markup', async () => {
    const hostile = 'hostile';
    await deploy(server, hostile, config(['web']), 30);
    const deployed = await server.instance.store.listDeployments(hostile);
    const id = deployed[0]?.id ?? '';
    await server.instance.store.updateTask(id, 'build:web', { reason: '<img src=x onerror=alert(1)>' });
    const page = await get(`${server.url}/tools/${hostile}/deployments/${id}`, gateway(hostile));
    assert.doesNotMatch(page.text, /<img src=x/);
    assert.match(page.text, /&lt;img src=x/);
  });
});

describe('dashboard of the local instance', () => {
  let dataDir: string;
  let instance: RunningInstance;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tfc-web-local-'));
    instance = await startInstance({ runtime: 'local', dataDir });
    await instance.store.putConfig('alpha', {}, { dialect: 'v1beta1', components: [] });
    await instance.store.putConfig('beta', {}, { dialect: 'v1beta1', components: [] });
  });
  after(async () => {
    await instance?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('needs no login on 127.0.0.1 and lists every tool of the instance', async () => {
    assert.match(instance.url, /^http:\/\/127\.0\.0\.1:/);
    const page = await get(`${instance.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.text, /href="\/tools\/alpha"/);
    assert.match(page.text, /href="\/tools\/beta"/);
    assert.equal((await get(`${instance.url}/tools/alpha`)).status, 200);
  });

  test('refuses a request naming another host (a DNS name pointed at 127.0.0.1)', async () => {
    const page = await get(`${instance.url}/tools/alpha`, { host: 'attacker.example' });
    assert.equal(page.status, 401);
  });

  test('with the gateway header it still shows only that tool', async () => {
    assert.equal((await get(`${instance.url}/tools/beta`, gateway('alpha'))).status, 403);
  });
});
