/**
 * The local runtime says why a component is not healthy: the probe's connection error or status, the health
 * script's exit code and output, a process listening on another port than its own (a failure, like a crash
 * loop), and a port another program holds (failed before anything starts, naming that program).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobSpec } from '../../../../../src/model/job-spec.js';
import { LocalRuntime } from '../../../../../src/runtimes/local/local-runtime.js';
import { FAST_TIMINGS, buildImage, commitFiles, tempDir, waitFor } from '../../../../support/local-kit.js';
import { freePort } from '../../../../../src/runtimes/local/jobs/free-port.js';

// `web` listens on $PORT; `wrong` on a port of the system's choosing (port 0) and logs it; `quiet` listens nowhere.
const SERVER = `
const http = require('node:http');
const port = process.argv[2] === 'wrong' ? 0 : Number(process.env.PORT);
if (process.argv[2] === 'quiet') setInterval(() => {}, 1000);
else {
  const server = http.createServer((req, res) => res.end('ok'));
  server.listen(port, '127.0.0.1', () => console.log('listening on ' + server.address().port));
}
`;

describe('local runtime: why a component is not healthy', () => {
  const tmp = tempDir('diagnosis');
  let runtime: LocalRuntime;
  let image = '';
  const holders: ChildProcess[] = [];

  before(async () => {
    runtime = new LocalRuntime({
      dataDir: join(tmp.path, 'data'),
      timings: { ...FAST_TIMINGS, wrongPortGraceMs: 300 },
    });
    const repo = join(tmp.path, 'app');
    commitFiles(repo, {
      Procfile: 'web: node server.cjs web\nwrong: node server.cjs wrong\nquiet: node server.cjs quiet\n',
      'server.cjs': SERVER,
    });
    image = await buildImage(runtime, 't1', 'app', repo);
    assert.ok(image);
  });
  after(async () => {
    await runtime.shutdown();
    for (const holder of holders) holder.kill('SIGKILL');
    tmp.remove();
  });

  const job = async (name: string) => (await runtime.observe('t1')).jobs.find((j) => j.name === name);
  const spec = (name: string, command: string, port: number, extra: Partial<JobSpec> = {}): JobSpec => ({
    name,
    type: 'continuous',
    image,
    command,
    port,
    healthCheck: { type: 'http', path: '/' },
    ...extra,
  });

  it('fails a process that listens on another port than its own, naming both ports', async () => {
    const port = await freePort('127.0.0.1');
    await runtime.upsertJob('t1', spec('wrongport', 'wrong', port, { publish: '/' }));
    const failed = await waitFor('wrongport failed', async () => {
      const record = await job('wrongport');
      return record?.state === 'failed' ? record : undefined;
    });
    const named = new RegExp(`listens on 127\\.0\\.0\\.1:(\\d+), not on the configured port ${port}`);
    assert.match(failed.message ?? '', named);
    const otherPort = Number(named.exec(failed.message ?? '')?.[1]);
    assert.notEqual(otherPort, port);
    assert.match(
      failed.message ?? '',
      new RegExp(`listening on ${otherPort}`),
      'the last log lines come with it',
    );
    assert.equal(failed.url, undefined, 'nothing of ours answers there: not published');
    await runtime.deleteJob('t1', 'wrongport');
  });

  it('says that the connection is refused while nothing listens yet', async () => {
    const port = await freePort('127.0.0.1');
    await runtime.upsertJob('t1', spec('quiet', 'quiet', port));
    const record = await waitFor('a refused probe', async () => {
      const r = await job('quiet');
      return r?.healthReason?.startsWith('connection refused') ? r : undefined;
    });
    assert.equal(record.healthReason, `connection refused on 127.0.0.1:${port}`);
    assert.equal(record.state, 'running', 'a process that listens nowhere (yet) is not failed for it');
    await runtime.deleteJob('t1', 'quiet');
  });

  it("gives a failing health script's exit code and output", async () => {
    const port = await freePort('127.0.0.1');
    await runtime.upsertJob(
      't1',
      spec('scripted', 'web', port, {
        healthCheck: { type: 'script', script: 'echo "db not reachable"; exit 3' },
      }),
    );
    const record = await waitFor('a failed script probe', async () => {
      const r = await job('scripted');
      return r?.healthReason?.startsWith('health script') ? r : undefined;
    });
    assert.equal(record.healthReason, 'health script exited 3: db not reachable');
    assert.equal(record.health, 'starting');
    await runtime.deleteJob('t1', 'scripted');
  });

  it('fails at once when another program holds the port, naming it, and starts once the port is free', async () => {
    // The other program takes a port of the system's choosing and says which: no window for a third to take it.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    holders.push(holder);
    const [announced] = (await once(holder.stdout!, 'data')) as [Buffer];
    const port = Number(announced.toString('utf8').trim());
    await runtime.upsertJob('t1', spec('taken', 'web', port, { publish: '/' }));
    const record = await job('taken');
    assert.equal(record?.state, 'failed');
    assert.match(
      record?.message ?? '',
      new RegExp(
        `^port ${port} on 127\\.0\\.0\\.1 is already in use by another program: pid ${holder.pid} \\(.*node -e`,
      ),
    );
    assert.equal(record?.url, undefined, "another program's server is not published as ours");
    assert.deepEqual(runtime.jobPids('t1', 'taken'), [], 'nothing was started');

    holder.kill('SIGKILL');
    await once(holder, 'exit');
    await runtime.upsertJob('t1', spec('taken', 'web', port, { publish: '/' }));
    const healthy = await waitFor('taken healthy', async () => {
      const r = await job('taken');
      return r?.health === 'healthy' ? r : undefined;
    });
    assert.equal(healthy.url, `http://127.0.0.1:${port}/`);
    await runtime.deleteJob('t1', 'taken');
  });
});
