import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobSpec } from '../../../../../src/model/job-spec.js';
import { LocalRuntime } from '../../../../../src/runtimes/local/local-runtime.js';
import {
  FAST_TIMINGS,
  buildImage,
  commitFiles,
  isAlive,
  tempDir,
  waitFor,
} from '../../../../support/local-kit.js';

const NEVER_SOON = '0 0 1 1 *';

describe('scheduled jobs', () => {
  const tmp = tempDir('cron');
  let runtime: LocalRuntime;
  let image = '';

  before(async () => {
    runtime = new LocalRuntime({ dataDir: join(tmp.path, 'data'), timings: FAST_TIMINGS });
    const repo = join(tmp.path, 'app');
    commitFiles(repo, { Procfile: 'tick: echo tick\n' });
    image = await buildImage(runtime, 't1', 'app', repo);
    assert.ok(image);
  });
  after(async () => {
    await runtime.shutdown();
    tmp.remove();
  });

  const spec = (name: string, command: string, extra: Partial<JobSpec> = {}): JobSpec => ({
    name,
    type: 'scheduled',
    image,
    command,
    schedule: NEVER_SOON,
    ...extra,
  });

  it('registers the job and runs it on its schedule, keeping every run', async () => {
    // croner also takes a 6-field pattern with seconds: every second keeps this test short.
    await runtime.upsertJob('t1', spec('ticker', 'tick', { schedule: '* * * * * *' }));
    const record = (await runtime.observe('t1')).jobs.find((j) => j.name === 'ticker');
    assert.equal(record?.state, 'registered');
    const runs = await waitFor('two runs', () => {
      const done = runtime.runs('t1', 'ticker').filter((r) => r.state === 'succeeded');
      return done.length >= 2 ? done : undefined;
    });
    for (const run of runs) {
      assert.equal(run.exitCode, 0);
      assert.equal(run.trigger, 'schedule');
      assert.ok(run.durationMs !== undefined && run.durationMs >= 0);
      assert.match(readFileSync(run.logFile, 'utf8'), /\[run-\d+\] tick/);
    }
    await runtime.deleteJob('t1', 'ticker');
  });

  it('never overlaps runs: a tick during a run is skipped', async () => {
    await runtime.upsertJob('t1', spec('slow', 'sleep 1.6', { schedule: '* * * * * *' }));
    const runs = await waitFor('two finished runs', () => {
      const done = runtime.runs('t1', 'slow').filter((r) => r.state !== 'running');
      return done.length >= 2 ? done : undefined;
    });
    const log: string[] = [];
    for await (const line of runtime.jobLogs('t1', 'slow')) log.push(line);
    await runtime.deleteJob('t1', 'slow');
    const ordered = runs;
    for (let i = 1; i < ordered.length; i += 1) {
      const previous = ordered[i - 1];
      assert.ok(previous?.finishedAt !== undefined);
      assert.ok(
        (ordered[i]?.startedAt ?? '') >= previous.finishedAt,
        'a run started before the previous ended',
      );
    }
    assert.ok(log.some((l) => l.includes('schedule run skipped: the previous run is still running')));
  });

  it('kills a run that exceeds its timeout', async () => {
    await runtime.upsertJob('t1', spec('stuck', 'sleep 30', { timeout: 1 }));
    assert.equal(await runtime.runJobNow('t1', 'stuck'), true);
    const [run] = runtime.runs('t1', 'stuck');
    assert.equal(run?.state, 'failed');
    assert.equal(run?.timedOut, true);
    assert.notEqual(run?.exitCode, 0);
  });

  it('reruns a failed run up to `retry` times and stops at the first success', async () => {
    const script =
      'n=$(cat "$TOOL_DATA_DIR/n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$TOOL_DATA_DIR/n"; test $n -ge 3';
    await runtime.upsertJob('t1', spec('flaky', script, { retry: 4 }));
    await runtime.runJobNow('t1', 'flaky');
    assert.deepEqual(
      runtime.runs('t1', 'flaky').map((r) => [r.id, r.attempt, r.trigger, r.state]),
      [
        ['1', 0, 'manual', 'failed'],
        ['1.1', 1, 'retry', 'failed'],
        ['1.2', 2, 'retry', 'succeeded'],
      ],
    );
    await runtime.upsertJob('t1', spec('always-fails', 'exit 7', { retry: 1 }));
    await runtime.runJobNow('t1', 'always-fails');
    assert.deepEqual(
      runtime.runs('t1', 'always-fails').map((r) => [r.id, r.exitCode]),
      [
        ['1', 7],
        ['1.1', 7],
      ],
    );
  });

  it('refuses a manual run while one is running, and stops the run on delete', async () => {
    await runtime.upsertJob('t1', spec('long', 'sleep 30'));
    const first = runtime.runJobNow('t1', 'long');
    const pid = await waitFor('run started', () => runtime.jobPids('t1', 'long')[0]);
    assert.equal(await runtime.runJobNow('t1', 'long'), false);
    await runtime.deleteJob('t1', 'long');
    assert.equal(await first, true);
    assert.equal(isAlive(pid), false);
  });
});
