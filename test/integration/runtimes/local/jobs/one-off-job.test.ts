/**
 * One-off jobs on the local runtime, with real processes: `retry` reruns a failed attempt and the run is
 * reported running until its last attempt ended, `timeout` stops a run and fails it, every attempt is
 * recorded, and a restarted runtime reports the last run without running it again.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalRuntime } from '../../../../../src/runtimes/local/local-runtime.js';
import type { JobRecord } from '../../../../../src/model/observed-state.js';
import { FAST_TIMINGS, buildImage, commitFiles, tempDir, waitFor } from '../../../../support/local-kit.js';

describe('local one-off jobs', () => {
  const tmp = tempDir('one-off');
  const dataDir = join(tmp.path, 'data');
  const repo = join(tmp.path, 'app');
  commitFiles(repo, {
    Procfile: 'flaky: node flaky.js\nhang: node hang.js\n',
    // Fails on its first attempt, succeeds on the second (the attempt count lives in the tool's data dir).
    'flaky.js': [
      "const fs = require('node:fs');",
      "const file = process.env.TOOL_DATA_DIR + '/attempts';",
      "const n = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) + 1 : 1;",
      'fs.writeFileSync(file, String(n));',
      'console.log(`attempt ${n}`);',
      'setTimeout(() => process.exit(n === 1 ? 7 : 0), 200);',
      '',
    ].join('\n'),
    'hang.js': "console.log('hanging');\nsetInterval(() => {}, 1000);\n",
  });
  const runtimes: LocalRuntime[] = [];
  const open = (): LocalRuntime => {
    const runtime = new LocalRuntime({ dataDir, timings: FAST_TIMINGS });
    runtimes.push(runtime);
    return runtime;
  };
  after(async () => {
    await Promise.all(runtimes.map((r) => r.shutdown()));
    tmp.remove();
  });

  const record = async (runtime: LocalRuntime, name: string): Promise<JobRecord | undefined> =>
    (await runtime.observe('t1')).jobs.find((j) => j.name === name);

  it('retries a failed attempt; the run is running until its last attempt, then succeeded', async () => {
    const runtime = open();
    const image = await buildImage(runtime, 't1', 'app', repo);
    await runtime.runOnce('t1', { name: 'flaky', type: 'one-off', image, command: 'flaky', retry: 1 });
    const seen = new Set<string>();
    const done = await waitFor(
      'flaky run ends',
      async () => {
        const job = await record(runtime, 'flaky');
        if (job?.lastRun) seen.add(job.lastRun.state);
        return job?.lastRun?.state === 'succeeded' ? job : undefined;
      },
      15_000,
    );
    assert.ok(
      !seen.has('failed'),
      `a failed attempt with a retry left is not the run's end: ${[...seen].join(', ')}`,
    );
    assert.equal(done.state, 'completed');
    assert.equal(done.lastRun?.exitCode, 0);
    assert.equal(done.lastRun?.attempts, 2);
    assert.deepEqual(
      runtime.runs('t1', 'flaky').map((r) => [r.id, r.state, r.exitCode]),
      [
        ['1', 'failed', 7],
        ['1.1', 'succeeded', 0],
      ],
    );
  });

  it('stops a run at its timeout and reports it failed, timed out', async () => {
    const runtime = runtimes[0] as LocalRuntime;
    const image = await buildImage(runtime, 't1', 'app', repo);
    await runtime.runOnce('t1', { name: 'hang', type: 'one-off', image, command: 'hang', timeout: 1 });
    const failed = await waitFor(
      'hanging run stopped',
      async () => {
        const job = await record(runtime, 'hang');
        return job?.lastRun?.state === 'failed' ? job : undefined;
      },
      15_000,
    );
    assert.equal(failed.state, 'failed');
    assert.equal(failed.lastRun?.message, 'timed out after 1s');
    assert.equal(runtime.jobPids('t1', 'hang').length, 0);
  });

  it('a restarted runtime reports the last runs and runs nothing again', async () => {
    await (runtimes[0] as LocalRuntime).shutdown();
    const runtime = open();
    await runtime.start();
    const flaky = await record(runtime, 'flaky');
    assert.equal(flaky?.lastRun?.state, 'succeeded');
    // Not an ordering wait: nothing is expected to happen, and an absence cannot be awaited. start() launches
    // synchronously under the job locks; this bounded watch also catches a wrong rerun started afterwards.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(runtime.runs('t1', 'flaky').length, 2);
    assert.equal((await record(runtime, 'hang'))?.lastRun?.state, 'failed');
    assert.equal(runtime.runs('t1', 'hang').length, 1);
  });
});
