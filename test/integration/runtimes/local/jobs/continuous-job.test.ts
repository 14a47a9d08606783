import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobSpec } from '../../../../../src/model/job-spec.js';
import { LocalRuntime } from '../../../../../src/runtimes/local/local-runtime.js';
import {
  FAST_TIMINGS,
  buildImage,
  commitFiles,
  httpGet,
  isAlive,
  tempDir,
  waitFor,
} from '../../../../support/local-kit.js';
import { freePort } from '../../../../../src/runtimes/local/jobs/free-port.js';

// A web server that answers the pid of its process group leader (the shell the runtime started) or its own pid
// on /pid, and fails its health check while $TOOL_DATA_DIR/sick exists; and a crasher that dies at once.
const SERVER = `
const http = require('node:http');
const sick = () => require('node:fs').existsSync(process.env.TOOL_DATA_DIR + '/sick');
const answer = (url) => (url === '/healthz' ? 'ok' : url === '/pid' ? String(process.pid) : String(process.ppid));
const server = http.createServer((req, res) => {
  if (req.url === '/healthz' && sick()) res.statusCode = 500;
  res.end(answer(req.url));
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

describe('continuous jobs', () => {
  const tmp = tempDir('cont');
  let runtime: LocalRuntime;
  let image = '';
  const started: number[] = [];

  before(async () => {
    runtime = new LocalRuntime({
      dataDir: join(tmp.path, 'data'),
      timings: FAST_TIMINGS,
      env: { GREETING: 'hi' },
    });
    const repo = join(tmp.path, 'app');
    commitFiles(repo, {
      Procfile: 'web: node server.cjs\ncrash: echo "fatal: config missing" >&2; exit 4\n',
      'server.cjs': SERVER,
    });
    image = await buildImage(runtime, 't1', 'app', repo);
    assert.ok(image);
  });
  after(async () => {
    await runtime.shutdown();
    for (const pid of started) assert.equal(isAlive(pid), false, `process ${pid} left behind`);
    tmp.remove();
  });

  const job = async (name: string) => (await runtime.observe('t1')).jobs.find((j) => j.name === name);
  const remember = (pids: number[]): number[] => {
    started.push(...pids);
    return pids;
  };

  it('runs the web process on PORT and reports it healthy through its http check', async () => {
    const port = await freePort('127.0.0.1');
    const spec: JobSpec = {
      name: 'web',
      type: 'continuous',
      image,
      command: '',
      port,
      publish: '/',
      healthCheck: { type: 'http', path: '/healthz' },
    };
    const change = await runtime.upsertJob('t1', spec);
    assert.equal(change.changed, true);
    const healthy = await waitFor('web healthy', async () => {
      const record = await job('web');
      return record?.health === 'healthy' ? record : undefined;
    });
    assert.equal(healthy.state, 'running');
    assert.equal(healthy.readyReplicas, 1);
    assert.equal(healthy.url, `http://127.0.0.1:${port}/`);
    const [pid] = remember(runtime.jobPids('t1', 'web'));
    assert.equal((await httpGet(`http://127.0.0.1:${port}/`))?.body, String(pid));

    // The same spec again changes nothing and restarts nothing.
    const again = await runtime.upsertJob('t1', { ...spec });
    assert.equal(again.changed, false);
    assert.deepEqual(runtime.jobPids('t1', 'web'), [pid]);
  });

  it('restarts a process killed with SIGKILL', async () => {
    const [pid] = runtime.jobPids('t1', 'web');
    const port = (await job('web'))?.port;
    const server = Number((await httpGet(`http://127.0.0.1:${port}/pid`))?.body);
    assert.ok(pid && server > 0);
    process.kill(server, 'SIGKILL');
    const [next] = await waitFor('a new web process', () => {
      const pids = runtime.jobPids('t1', 'web');
      return pids.length === 1 && pids[0] !== pid ? pids : undefined;
    });
    remember([next ?? 0]);
    await waitFor('web healthy again', async () => (await job('web'))?.health === 'healthy');
  });

  it('restarts a process whose health check keeps failing, and reports it unhealthy meanwhile', async () => {
    const [pid] = runtime.jobPids('t1', 'web');
    const sick = join(tmp.path, 'data', 'tools', 't1', 'data', 'sick');
    writeFileSync(sick, '');
    await waitFor('web unhealthy', async () => (await job('web'))?.health === 'unhealthy');
    await waitFor('web restarted', () => runtime.jobPids('t1', 'web')[0] !== pid);
    rmSync(sick);
    await waitFor('web healthy again', async () => (await job('web'))?.health === 'healthy');
    remember(runtime.jobPids('t1', 'web'));
  });

  it('replaces the processes when the spec changes, and restartJob restarts them', async () => {
    const before = runtime.jobPids('t1', 'web');
    const record = await job('web');
    assert.ok(record);
    const change = await runtime.upsertJob('t1', {
      name: 'web',
      type: 'continuous',
      image,
      command: 'web',
      port: record.port,
      healthCheck: {
        type: 'script',
        script: `node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
      },
    });
    assert.equal(change.changed, true);
    for (const pid of before) assert.equal(isAlive(pid), false);
    await waitFor('script health check passes', async () => (await job('web'))?.health === 'healthy');
    const updated = remember(runtime.jobPids('t1', 'web'));
    await runtime.restartJob('t1', 'web');
    const restarted = remember(runtime.jobPids('t1', 'web'));
    assert.notDeepEqual(restarted, updated);
  });

  it('runs replicas behind the declared port and balances between them', async () => {
    const port = await freePort('127.0.0.1');
    await runtime.upsertJob('t1', {
      name: 'multi',
      type: 'continuous',
      image,
      command: 'web',
      port,
      replicas: 3,
      healthCheck: { type: 'http', path: '/healthz' },
    });
    const record = await waitFor('3 replicas ready', async () => {
      const r = await job('multi');
      return r?.readyReplicas === 3 ? r : undefined;
    });
    assert.equal(record.health, 'healthy');
    const pids = remember(runtime.jobPids('t1', 'multi'));
    assert.equal(pids.length, 3);
    const answers = new Set<string>();
    for (let i = 0; i < 6; i += 1) answers.add((await httpGet(`http://127.0.0.1:${port}/`))?.body ?? '');
    assert.deepEqual([...answers].sort(), pids.map(String).sort());
    await runtime.deleteJob('t1', 'multi');
    for (const pid of pids) assert.equal(isAlive(pid), false);
    assert.equal(await httpGet(`http://127.0.0.1:${port}/`), undefined);
  });

  it('restarts a crashing process with backoff and reports crash-looping with the exit code and log', async () => {
    await runtime.upsertJob('t1', { name: 'crasher', type: 'continuous', image, command: 'crash' });
    const record = await waitFor('crash-looping', async () => {
      const r = await job('crasher');
      return r?.state === 'crash-looping' ? r : undefined;
    });
    assert.match(record.message ?? '', /exit code 4/);
    assert.match(record.message ?? '', /fatal: config missing/);
    const lines: string[] = [];
    for await (const line of runtime.jobLogs('t1', 'crasher')) lines.push(line);
    const delays = lines.flatMap((l) => /restarting in (\d+) ms/.exec(l)?.[1] ?? []).map(Number);
    assert.deepEqual(delays.slice(0, 3), [50, 100, 200]);
    await runtime.deleteJob('t1', 'crasher');
    assert.equal(await job('crasher'), undefined);
  });

  it('gives each process the tool env, TOOL_DATA_DIR and the URLs of the other components', async () => {
    await runtime.upsertJob('t1', {
      name: 'env-dump',
      type: 'continuous',
      image,
      command: 'echo "$GREETING $WEB_URL $TOOL_DATA_DIR"; sleep 30',
    });
    const webPort = (await job('web'))?.port;
    const line = await waitFor('env line', async () => {
      for await (const l of runtime.jobLogs('t1', 'env-dump')) if (l.includes(' hi ')) return l;
      return undefined;
    });
    assert.match(line, new RegExp(`hi http://127\\.0\\.0\\.1:${webPort} .*tools/t1/data`));
    remember(runtime.jobPids('t1', 'env-dump'));
  });

  it('refuses a job whose image is not in the store or whose command cannot resolve', async () => {
    await assert.rejects(
      runtime.upsertJob('t1', {
        name: 'x',
        type: 'continuous',
        image: 'tool-t/x:latest@sha256:' + '0'.repeat(64),
        command: 'web',
      }),
      /not in the local image store/,
    );
    await assert.rejects(
      runtime.upsertJob('t1', {
        name: 'bad-cron',
        type: 'scheduled',
        image,
        command: 'web',
        schedule: 'every day',
      }),
      /invalid schedule/,
    );
  });
});
