/**
 * The example's sources (examples/toolhunt) built and run by the local runtime, the way `up` deploys them, on
 * free ports instead of the example's 8000/5555.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../../src/runtimes/local/jobs/free-port.js';
import { LocalRuntime } from '../../../../src/runtimes/local/local-runtime.js';
import { FAST_TIMINGS, httpGet, tempDir, waitFor } from '../../../support/local-kit.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/toolhunt/', import.meta.url));

describe('the toolhunt example on the local runtime', () => {
  const tmp = tempDir('toolhunt');
  const runtime = new LocalRuntime({ dataDir: join(tmp.path, 'data'), timings: FAST_TIMINGS });
  after(async () => {
    await runtime.shutdown();
    tmp.remove();
  });

  async function build(imageName: string, folder: string): Promise<string> {
    const started = await runtime.startBuild('toolhunt', {
      imageName,
      repository: join(EXAMPLE, folder),
      useLatestVersions: false,
      useDeprecatedVersions: false,
    });
    const record = await runtime.waitForBuild('toolhunt', started.id);
    assert.equal(record?.state, 'successful', record?.message);
    return record?.image ?? '';
  }

  it('builds both images, runs the api and the dashboard, and the cleanup job calls the api', async () => {
    const [apiImage, cleanupImage] = await Promise.all([
      build('toolhunt-api', 'toolhunt'),
      build('toolhunt-cleanup', 'toolhunt-cleanup'),
    ]);
    const apiPort = await freePort('127.0.0.1');
    await runtime.upsertJob('toolhunt', {
      name: 'toolhunt-api',
      type: 'continuous',
      image: apiImage,
      command: '',
      port: apiPort,
      publish: '/',
      healthCheck: { type: 'http', path: '/healthz' },
    });
    const api = await waitFor('api healthy', async () => {
      const job = (await runtime.observe('toolhunt')).jobs.find((j) => j.name === 'toolhunt-api');
      return job?.health === 'healthy' ? job : undefined;
    });
    assert.equal(api.url, `http://127.0.0.1:${apiPort}/`);

    const flowerPort = await freePort('127.0.0.1');
    await runtime.upsertJob('toolhunt', {
      name: 'toolhunt-flower',
      type: 'continuous',
      image: apiImage,
      command: 'flower',
      port: flowerPort,
    });
    const page = await waitFor(
      'dashboard',
      async () => (await httpGet(`http://127.0.0.1:${flowerPort}/`))?.body,
    );
    assert.match(page, /toolhunt dashboard/);
    assert.match(page, /2 open, 1 done, 0 cleanups/);

    await runtime.upsertJob('toolhunt', {
      name: 'toolhunt-cleanup',
      type: 'scheduled',
      image: cleanupImage,
      command: 'cleanup',
      schedule: '*/5 * * * *',
    });
    await runtime.runJobNow('toolhunt', 'toolhunt-cleanup');
    const [run] = runtime.runs('toolhunt', 'toolhunt-cleanup');
    assert.equal(run?.exitCode, 0);
    const stats = JSON.parse((await httpGet(`http://127.0.0.1:${apiPort}/api/stats`))?.body ?? '{}') as {
      done: number;
      cleanups: number;
    };
    assert.deepEqual([stats.done, stats.cleanups], [0, 1]);
    const lines: string[] = [];
    for await (const line of runtime.jobLogs('toolhunt', 'toolhunt-cleanup')) lines.push(line);
    assert.ok(lines.some((l) => l.includes('cleanup done: removed 1 finished task(s), cleanup #1')));
  });
});
