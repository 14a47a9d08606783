/**
 * kill -9 of a deployed component's process on the local runtime: the supervisor starts a new process and the
 * component becomes healthy again, with no deployment involved; its neighbour is not touched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpText, isAlive, openE2e, waitFor, type E2e } from '../support/local-e2e.js';
import { toolConfig } from '../support/local-e2e-config.js';

describe('local e2e: kill -9 of a component', () => {
  let e2e: E2e;
  before(async () => {
    e2e = await openE2e();
    const outcome = await e2e.deploy(await toolConfig(e2e));
    assert.equal(outcome.status, 'successful', outcome.longStatus);
  });
  after(() => e2e?.close());

  it('restarts the killed process and reports the component healthy again', async () => {
    const [old] = e2e.pids('api');
    assert.ok(old !== undefined);
    const flower = e2e.pids('flower');
    process.kill(old, 'SIGKILL');
    await waitFor('the killed process to be gone', () => !isAlive(old));

    const [fresh] = await waitFor('a new api process', () => {
      const pids = e2e.pids('api');
      return pids.length === 1 && pids[0] !== old ? pids : undefined;
    });
    assert.ok(fresh !== undefined && isAlive(fresh));
    const api = await waitFor('api healthy again', async () => {
      const job = (await e2e.runtime.observe(e2e.tool)).jobs.find((j) => j.name === 'api');
      return job?.health === 'healthy' && job.state === 'running' ? job : undefined;
    });
    assert.equal(api.readyReplicas, 1);
    assert.equal(await httpText(`http://127.0.0.1:${await e2e.port('api')}/healthz`), 'ok');
    assert.deepEqual(e2e.pids('flower'), flower, 'flower untouched');
  });
});
