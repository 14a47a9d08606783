import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../../src/runtimes/local/jobs/free-port.js';
import { LocalRuntime } from '../../../../src/runtimes/local/local-runtime.js';
import {
  FAST_TIMINGS,
  buildImage,
  commitFiles,
  httpGet,
  isAlive,
  tempDir,
  waitFor,
} from '../../../support/local-kit.js';

const SERVER = `require('node:http').createServer((q, s) => s.end(String(process.ppid)))
  .listen(Number(process.env.PORT), '127.0.0.1');`;

describe('LocalRuntime persistence and shutdown', () => {
  const tmp = tempDir('persist');
  const dataDir = join(tmp.path, 'data');
  const repo = join(tmp.path, 'app');
  commitFiles(repo, { Procfile: 'web: node server.cjs\n', 'server.cjs': SERVER });
  const runtimes: LocalRuntime[] = [];
  const pids: number[] = [];

  after(async () => {
    await Promise.all(runtimes.map((r) => r.shutdown()));
    for (const pid of pids) if (isAlive(pid)) process.kill(-pid, 'SIGKILL');
    tmp.remove();
  });

  async function deploy(runtime: LocalRuntime, port: number): Promise<void> {
    const image = await buildImage(runtime, 't1', 'web', repo);
    await runtime.upsertJob('t1', { name: 'web', type: 'continuous', image, command: '', port });
    await runtime.upsertJob('t1', {
      name: 'cron',
      type: 'scheduled',
      image,
      command: 'echo hi',
      schedule: '@daily',
    });
  }

  const serving = async (port: number) => (await httpGet(`http://127.0.0.1:${port}/`))?.body;

  /**
   * A web process that first daemonizes a `sleep` out of its process group (setsid), as a component that
   * "goes to the background" would; the sleep's pid lands in TOOL_DATA_DIR/escaped.pid.
   */
  const escaping = join(tmp.path, 'escaping');
  commitFiles(escaping, {
    Procfile:
      `web: setsid sh -c 'echo $$ > "$TOOL_DATA_DIR/escaped.pid"; exec sleep 300' >/dev/null 2>&1 & ` +
      'exec node server.cjs\n',
    'server.cjs': SERVER,
  });
  const escapedPid = (dataDir: string) =>
    waitFor('the escaped pid', () => {
      const text = (() => {
        try {
          return readFileSync(join(dataDir, 'tools', 't1', 'data', 'escaped.pid'), 'utf8').trim();
        } catch {
          return '';
        }
      })();
      return text === '' ? undefined : Number(text);
    });

  it('shutdown stops every process; a new runtime on the same data dir sees the state and start() restores it', async () => {
    const port = await freePort('127.0.0.1');
    const first = new LocalRuntime({ dataDir, timings: FAST_TIMINGS });
    runtimes.push(first);
    await deploy(first, port);
    const firstPid = Number(await waitFor('web serving', () => serving(port)));
    pids.push(firstPid);
    const before = await first.observe('t1');
    await first.shutdown();
    assert.equal(isAlive(firstPid), false);

    const second = new LocalRuntime({ dataDir, timings: FAST_TIMINGS });
    runtimes.push(second);
    const seen = await second.observe('t1');
    assert.deepEqual(
      seen.builds.map((b) => b.id),
      before.builds.map((b) => b.id),
    );
    assert.deepEqual(
      seen.jobs.map((j) => [j.name, j.image, j.state]),
      [
        ['web', before.jobs[0]?.image, 'pending'],
        ['cron', before.jobs[1]?.image, 'pending'],
      ],
    );
    await second.start();
    const secondPid = Number(await waitFor('web serving again', () => serving(port)));
    pids.push(secondPid);
    assert.notEqual(secondPid, firstPid);
    const states = (await second.observe('t1')).jobs.map((j) => [j.name, j.state]);
    assert.deepEqual(states, [
      ['web', 'running'],
      ['cron', 'registered'],
    ]);
    // Redeploying the same specs changes nothing.
    const again = await second.upsertJob('t1', {
      name: 'web',
      type: 'continuous',
      image: before.jobs[0]?.image ?? '',
      command: '',
      port,
    });
    assert.equal(again.changed, false);
    await second.shutdown();
    assert.equal(isAlive(secondPid), false);
  });

  it('after a daemon killed with SIGKILL, start() stops its leftovers and runs the jobs again', async () => {
    const port = await freePort('127.0.0.1');
    const dir = join(tmp.path, 'killed');
    const script = fileURLToPath(new URL('../../../support/local-daemon.ts', import.meta.url));
    const daemon = spawn(process.execPath, ['--import', 'tsx', script, dir, repo, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    daemon.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const leftover = Number(await waitFor('daemon ready', () => /ready (\d+)/.exec(out)?.[1], 20_000));
    pids.push(leftover);
    daemon.kill('SIGKILL');
    await once(daemon, 'exit');
    assert.equal(isAlive(leftover), true, 'the supervised process outlives its killed daemon');

    const next = new LocalRuntime({ dataDir: dir, timings: FAST_TIMINGS });
    runtimes.push(next);
    await next.start();
    assert.equal(isAlive(leftover), false);
    const pid = Number(
      await waitFor('web back', async () => {
        const answer = await serving(port);
        return answer !== undefined && Number(answer) !== leftover ? answer : undefined;
      }),
    );
    pids.push(pid);
    await next.shutdown();
    assert.equal(isAlive(pid), false);
  });

  it('shutdown also stops a process that left its process group, and reports it', async () => {
    const port = await freePort('127.0.0.1');
    const dir = join(tmp.path, 'escape-shutdown');
    const runtime = new LocalRuntime({ dataDir: dir, timings: FAST_TIMINGS });
    runtimes.push(runtime);
    const image = await buildImage(runtime, 't1', 'web', escaping);
    await runtime.upsertJob('t1', { name: 'web', type: 'continuous', image, command: 'web', port });
    await waitFor('web serving', () => serving(port));
    const [web] = runtime.jobPids('t1', 'web');
    const escaped = await escapedPid(dir);
    pids.push(escaped);
    assert.ok(web !== undefined && isAlive(escaped));

    const report = await runtime.shutdown();
    assert.equal(isAlive(escaped), false, 'the daemonized sleep is gone');
    assert.equal(isAlive(web), false);
    assert.deepEqual(
      report.stopped.map((p) => [p.pid, p.command]),
      [[escaped, 'sleep 300']],
    );
    assert.deepEqual(report.survivors, []);
  });

  it('start() after a crash stops the processes the dead daemon left outside its process groups', async () => {
    const port = await freePort('127.0.0.1');
    const dir = join(tmp.path, 'escape-crash');
    const script = fileURLToPath(new URL('../../../support/local-daemon.ts', import.meta.url));
    const daemon = spawn(process.execPath, ['--import', 'tsx', script, dir, escaping, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    daemon.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const web = Number(await waitFor('daemon ready', () => /ready (\d+)/.exec(out)?.[1], 20_000));
    pids.push(web);
    const escaped = await escapedPid(dir);
    pids.push(escaped);
    daemon.kill('SIGKILL');
    await once(daemon, 'exit');
    assert.ok(isAlive(escaped), 'the daemonized sleep outlives its killed daemon');

    const next = new LocalRuntime({ dataDir: dir, timings: FAST_TIMINGS });
    runtimes.push(next);
    const leftovers = await next.start();
    assert.equal(isAlive(escaped), false);
    assert.equal(isAlive(web), false);
    assert.ok(
      leftovers.stopped.some((p) => p.pid === escaped),
      `stopped: ${leftovers.stopped.map((p) => p.pid).join(', ')}`,
    );
    // The restarted web daemonizes a new sleep; this runtime's own shutdown takes that one.
    const again = await waitFor('a new escaped sleep', async () => {
      const pid = await escapedPid(dir);
      return pid !== escaped ? pid : undefined;
    });
    pids.push(again);
    await next.shutdown();
    assert.equal(isAlive(again), false);
  });
});
