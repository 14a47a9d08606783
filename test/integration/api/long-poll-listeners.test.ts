/**
 * Long-polls (`?wait=`) on one keep-alive connection: each request's disconnect watch ends with its response,
 * so a client that polls in a loop does not pile listeners up on the shared socket (a leak, and Node's
 * MaxListenersExceededWarning after ten).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, Agent } from 'node:http';
import type { Socket } from 'node:net';
import { body, header, openHarness, webConfig, type Harness } from '../../support/api-harness.js';

let harness: Harness;
const serverSockets: Socket[] = [];
before(async () => {
  harness = await openHarness('sqlite');
  harness.app.server.on('connection', (socket: Socket) => serverSockets.push(socket));
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
});
after(() => harness.close());

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: header('t1') }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('twenty long-polls on one keep-alive connection leave no listeners behind on its socket', async () => {
  const { app } = harness;
  await app.inject({
    method: 'POST',
    url: '/v1/tool/t1/config',
    headers: header('t1'),
    payload: webConfig(),
  });
  const created = await app.inject({ method: 'POST', url: '/v1/tool/t1/deployment', headers: header('t1') });
  const id = (body(created).data as { deploy_id: string }).deploy_id;
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 20; i++) {
      assert.equal(await get(agent, address.port, `/v1/tool/t1/deployment/${id}?wait=0`), 200);
    }
    assert.equal(serverSockets.length, 1, 'every request went over the one connection');
    assert.ok(
      serverSockets[0]!.listenerCount('close') < 5,
      `close listeners on the socket: ${serverSockets[0]!.listenerCount('close')}`,
    );
  } finally {
    agent.destroy();
  }
});
