import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { ComponentsApiClient } from '../../../src/cli/api-client.js';
import { ComponentsApiError, ComponentsClientError, SERVICE_DOWN } from '../../../src/cli/client-errors.js';
import { apiRootFromUrl, type ApiTarget } from '../../../src/cli/target.js';
import { startTestApi, upstream } from '../../support/cli-kit.js';
import { DeploymentJson } from '../../../src/model/wire/deployment-json.js';
import { refusingPort } from '../../support/ports.js';

function targetFor(url: string, tool = 't1'): ApiTarget {
  const apiRoot = apiRootFromUrl(url);
  return {
    source: 'flag',
    tool,
    apiRoot,
    toolUrl: `${apiRoot}/tool/${tool}`,
    sendToolHeader: true,
    userAgent: 'tool-t1@test:components-cli',
  };
}

const api = await startTestApi([
  upstream('get config'),
  upstream('get deploy token, none'),
  upstream('create deployment via token (new build)'),
  {
    method: 'GET',
    path: '/v1/tool/t1/deployment',
    status: 500,
    body: { messages: { info: [], warning: [], error: ['Internal server error'] } },
  },
  { method: 'GET', path: '/v1/tool/t1/deployment/latest', status: 503, text: 'upstream connect error' },
  { method: 'DELETE', path: '/v1/tool/t1/config', status: 400, text: 'plain text failure' },
  { method: 'GET', path: '/v1/tool/t1/status', status: 200, text: '<html>not json</html>' },
  {
    method: 'GET',
    path: '/v1/tool/t1/deployment/20261125-101010-badbadbadb',
    status: 200,
    body: {
      data: {
        deploy_id: '20261125-101010-badbadbadb',
        creation_time: '20261125-101010',
        builds: { web: { build_id: 'b-1', build_status: 'exploded' } },
        runs: {},
      },
      messages: {},
    },
  },
]);
const client = new ComponentsApiClient(targetFor(api.url), { timeoutMs: 5000 });
after(async () => {
  await client.close();
  await api.close();
});

test('a call returns data, messages and the whole body; the tool header and user agent are sent', async () => {
  const result = await client.call('GET', '/config', {
    answer: Type.Object({ components: Type.Record(Type.String(), Type.Unknown()) }),
  });
  assert.deepEqual(Object.keys(result.data.components), ['web', 'cron']);
  assert.deepEqual(result.messages, {
    info: [],
    warning: ['You are using a beta feature of Toolforge.'],
    error: [],
  });
  const request = api.requests.at(-1);
  assert.equal(request?.url, '/v1/tool/t1/config');
  assert.equal(request?.headers['x-toolforge-tool'], 't1');
  assert.equal(request?.headers['user-agent'], 'tool-t1@test:components-cli');
});

test('query flags: true ones are sent, false and undefined ones are not; a body goes as JSON', async () => {
  // Upstream's own answer (a new deployment, unset fields left out) fits the deployment contract.
  const created = await client.call('POST', '/deployment', {
    answer: DeploymentJson,
    query: { 'force-build': true, 'force-run': false, token: undefined },
    body: { description: 'x' },
  });
  const request = api.requests.at(-1);
  assert.equal(request?.url, '/v1/tool/t1/deployment?force-build=true');
  assert.equal(request?.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(request?.body ?? ''), { description: 'x' });
  assert.equal(created.data.status, undefined);
});

test('4xx → ComponentsApiError with the first messages.error, and the info/warning lists kept', async () => {
  const error = await client.call('GET', '/deployment/token').catch((e: unknown) => e);
  assert.ok(error instanceof ComponentsApiError);
  assert.equal(error.httpStatus, 404);
  assert.equal(error.message, 'No deploy token found for tool: t1');
  assert.deepEqual(error.messages.warning, ['You are using a beta feature of Toolforge.']);
});

test('a 4xx whose body is not JSON gives the raw text', async () => {
  const error = await client.call('DELETE', '/config').catch((e: unknown) => e);
  assert.ok(error instanceof ComponentsApiError);
  assert.equal(error.message, 'plain text failure');
});

test('5xx → ComponentsClientError with the server message; 503 → the service is down', async () => {
  const e500 = await client.call('GET', '/deployment').catch((e: unknown) => e);
  assert.ok(e500 instanceof ComponentsClientError);
  assert.equal(e500.message, 'Internal server error');
  const e503 = await client.call('GET', '/deployment/latest').catch((e: unknown) => e);
  assert.ok(e503 instanceof ComponentsClientError);
  assert.equal(e503.message, SERVICE_DOWN);
});

test('a 200 that is not our envelope is an unexpected answer, not a crash', async () => {
  const error = await client.call('GET', '/status').catch((e: unknown) => e);
  assert.ok(error instanceof ComponentsClientError);
  assert.match(error.message, /^Unexpected answer to GET \/status: <html>/);
});

test('connection refused → the service is down', async () => {
  const refusing = await refusingPort();
  const down = new ComponentsApiClient(targetFor(`http://127.0.0.1:${refusing.port}`));
  try {
    const error = await down.call('GET', '/config').catch((e: unknown) => e);
    assert.ok(error instanceof ComponentsClientError);
    assert.equal(error.message, SERVICE_DOWN);
  } finally {
    await down.close();
    await refusing.release();
  }
});

test('events: a server without the route (404) is reported as unavailable so the CLI polls instead', async () => {
  const stream = await client.openEvents('20261124-175944-z0acpafyv7');
  assert.deepEqual(stream, { kind: 'unavailable', status: 404 });
});

test('apiRootFromUrl appends /v1 to a server root, keeps an explicit /v1 and refuses non-http URLs', () => {
  assert.equal(apiRootFromUrl('http://127.0.0.1:8000'), 'http://127.0.0.1:8000/v1');
  assert.equal(apiRootFromUrl('http://127.0.0.1:8000/'), 'http://127.0.0.1:8000/v1');
  assert.equal(apiRootFromUrl('https://gw:30003/components/v1/'), 'https://gw:30003/components/v1');
  assert.throws(() => apiRootFromUrl('ftp://x'), /Invalid API URL/);
  assert.throws(() => apiRootFromUrl('not a url'), /Invalid API URL/);
});

test('an answer that breaks the contract is refused with one line: where, what came, what was expected', async () => {
  const error = await client
    .call('GET', '/deployment/20261125-101010-badbadbadb', { answer: DeploymentJson })
    .catch((e: unknown) => e);
  assert.ok(error instanceof ComponentsClientError);
  assert.equal(
    error.message,
    'Unexpected answer to GET /deployment/20261125-101010-badbadbadb: data.builds.web.build_status is "exploded", expected one of pending, running, failed, successful, unknown, skipped, cancelled',
  );
});
