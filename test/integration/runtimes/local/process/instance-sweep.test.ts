import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { isAlive, tempDir } from '../../../../support/local-kit.js';
import {
  findMarked,
  markerEnv,
  newMarker,
  type InstanceMarker,
} from '../../../../../src/runtimes/local/process/instance-marker.js';
import { sweepInstance } from '../../../../../src/runtimes/local/process/instance-sweep.js';

/**
 * Starts `script` in a new session (as a daemonizing component would: out of any process group we could
 * signal) with `marker` in its environment; returns the pid the script prints.
 */
async function daemonize(marker: InstanceMarker | undefined, script: string): Promise<number> {
  const child = spawn('setsid', ['sh', '-c', script], {
    env: { ...process.env, ...(marker ? markerEnv(marker) : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'close');
  const pid = Number(out.trim());
  assert.ok(Number.isInteger(pid) && pid > 0, `no pid printed: '${out}'`);
  return pid;
}

describe('instance marker sweep', () => {
  const tmp = tempDir('sweep');
  const started: number[] = [];
  after(() => {
    for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    tmp.remove();
  });

  it('finds and stops the processes that carry the instance marker, and only those', async () => {
    const mine = newMarker(`${tmp.path}/data`);
    const other = newMarker(`${tmp.path}/data-2`);
    const escaped = await daemonize(mine, 'sleep 300 >/dev/null 2>&1 & echo $!');
    const neighbour = await daemonize(other, 'sleep 300 >/dev/null 2>&1 & echo $!');
    const unmarked = await daemonize(undefined, 'sleep 300 >/dev/null 2>&1 & echo $!');
    started.push(escaped, neighbour, unmarked);

    const found = await findMarked(mine);
    assert.deepEqual(
      found.map((p) => [p.pid, p.command, p.supervisor]),
      [[escaped, 'sleep 300', mine.supervisor]],
    );
    const report = await sweepInstance(mine, { graceMs: 1_000 });
    assert.deepEqual(
      report.stopped.map((p) => p.pid),
      [escaped],
    );
    assert.deepEqual(report.survivors, []);
    assert.equal(isAlive(escaped), false);
    assert.equal(isAlive(neighbour), true, 'another instance is not touched');
    assert.equal(isAlive(unmarked), true, 'an unmarked process is not touched');
  });

  it('kills what ignores SIGTERM once the grace period is over', async () => {
    const marker = newMarker(`${tmp.path}/stubborn`);
    const stubborn = await daemonize(
      marker,
      `sh -c 'trap "" TERM; while :; do sleep 1; done' >/dev/null 2>&1 & echo $!`,
    );
    started.push(stubborn);
    const t0 = performance.now();
    const report = await sweepInstance(marker, { graceMs: 300 });
    assert.ok(performance.now() - t0 >= 250, 'SIGKILL only after the grace period');
    assert.ok(report.stopped.some((p) => p.pid === stubborn));
    assert.deepEqual(report.survivors, []);
    assert.equal(isAlive(stubborn), false);
    assert.deepEqual(await findMarked(marker), [], 'its sleep children went too');
  });

  it('spares the processes of one supervisor when asked (a runtime sweeping an earlier one)', async () => {
    const earlier = newMarker(`${tmp.path}/restart`);
    const current = newMarker(`${tmp.path}/restart`);
    const leftover = await daemonize(earlier, 'sleep 300 >/dev/null 2>&1 & echo $!');
    const own = await daemonize(current, 'sleep 300 >/dev/null 2>&1 & echo $!');
    started.push(leftover, own);
    const report = await sweepInstance(current, { graceMs: 1_000, exceptSupervisor: current.supervisor });
    assert.deepEqual(
      report.stopped.map((p) => p.pid),
      [leftover],
    );
    assert.equal(isAlive(own), true);
  });
});
