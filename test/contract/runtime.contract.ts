/**
 * The behaviour every `Runtime` promises, as a reusable node:test suite. Each runtime runs it from its own test
 * file: `runtimeContract('toolforge (simulator)', async () => ({ runtime, tool, repo, teardown }))`.
 *
 * The steps share one tool and run in order (node:test runs the tests of a suite one after another).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime, RuntimeSnapshot } from '../../src/runtimes/runtime.js';
import type { BuildRequest } from '../../src/model/build-request.js';
import type { JobSpec } from '../../src/model/job-spec.js';
import type { BuildRecord, JobRecord } from '../../src/model/observed-state.js';

export interface RuntimeContractSetup {
  readonly runtime: Runtime;
  readonly tool: string;
  /** A git repository (URL or path) whose default branch builds successfully. */
  readonly repo: string;
  /**
   * An image name whose builds of `repo` take long enough (seconds) to be cancelled while running. Without it
   * the cancel step only checks that cancelling succeeds and the build ends.
   */
  readonly slowImageName?: string;
  /** How long to wait for a build or job to settle (default 20 000 ms). */
  readonly settleMs?: number;
  teardown(): Promise<void>;
}

const POLL_MS = 25;

export interface TempGitRepo {
  /** Path of a non-bare repository with one commit on `main` (a Procfile with a `web` process). */
  readonly path: string;
  readonly commit: string;
  cleanup(): void;
}

/** A real git repository in a temp dir, for runtimes' contract runs (`resolveRef`, builds). */
export function createTempGitRepo(prefix = 'tfc-contract-'): TempGitRepo {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'repo');
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], {
      cwd: path,
      encoding: 'utf8',
    }).trim();
  execFileSync('git', ['init', '-q', '-b', 'main', path]);
  writeFileSync(join(path, 'Procfile'), 'web: node server.js\ncleanup: echo cleaned\n');
  // A web process that really serves (on $PORT, 200 everywhere), for runtimes that run the Procfile.
  writeFileSync(
    join(path, 'server.js'),
    "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT || 8000), '127.0.0.1');\n",
  );
  git('add', 'Procfile', 'server.js');
  git('commit', '-q', '-m', 'initial');
  return {
    path,
    commit: git('rev-parse', 'HEAD'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function eventually<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      assert.fail(
        `${what} did not happen within ${deadlineMs} ms${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export function runtimeContract(name: string, setup: () => Promise<RuntimeContractSetup>): void {
  describe(`Runtime contract: ${name}`, () => {
    let ctx: RuntimeContractSetup;
    let runtime: Runtime;
    let tool = '';
    let settle = 20_000;
    let image = '';
    let commit = '';

    const observe = (): Promise<RuntimeSnapshot> => runtime.observe(tool);
    const build = async (id: string): Promise<BuildRecord | undefined> =>
      (await observe()).builds.find((b) => b.id === id);
    const job = async (jobName: string): Promise<JobRecord | undefined> =>
      (await observe()).jobs.find((j) => j.name === jobName);
    const request = (imageName: string): BuildRequest => ({
      imageName,
      repository: ctx.repo,
      useLatestVersions: false,
      useDeprecatedVersions: false,
    });
    const web = (): JobSpec => ({
      name: 'contract-web',
      type: 'continuous',
      image,
      command: 'web',
      replicas: 1,
    });

    before(async () => {
      ctx = await setup();
      runtime = ctx.runtime;
      tool = ctx.tool;
      settle = ctx.settleMs ?? 20_000;
    });
    after(async () => {
      await ctx?.teardown();
    });

    it('observes an empty tool', async () => {
      const snapshot = await observe();
      assert.deepEqual(snapshot.builds, []);
      assert.deepEqual(snapshot.jobs, []);
    });

    it('resolves the default branch to a commit and reports a missing ref', async () => {
      const head = await runtime.resolveRef(tool, ctx.repo, undefined);
      assert.ok(head.ok, `resolveRef failed: ${head.ok ? '' : head.error}`);
      assert.match(head.commit, /^[0-9a-f]{40}$/);
      commit = head.commit;
      const missing = await runtime.resolveRef(tool, ctx.repo, 'no-such-branch-xyz');
      assert.equal(missing.ok, false);
      assert.match(missing.ok ? '' : missing.error, /no-such-branch-xyz/);
    });

    it('starts a build that ends successful with an image, at the resolved commit', async () => {
      const started = await runtime.startBuild(tool, request('contract-web'));
      assert.ok(started.id);
      const done = await eventually('build success', settle, async () => {
        const b = await build(started.id);
        assert.ok(b, 'the started build is listed');
        assert.notEqual(b.state, 'failed', `build failed: ${b.message ?? ''}`);
        return b.state === 'successful' ? b : undefined;
      });
      assert.ok(done.image, 'a successful build has an image');
      assert.equal(done.imageName, 'contract-web');
      assert.equal(done.repository, ctx.repo);
      assert.equal(done.resolvedCommit, commit);
      image = done.image;
    });

    it('upserts a continuous job that becomes running, and healthy as far as the runtime can tell', async () => {
      const change = await runtime.upsertJob(tool, web());
      assert.equal(change.changed, true);
      const running = await eventually('job running', settle, async () => {
        const j = await job('contract-web');
        // `unknown`: a runtime that cannot see health checks (jobs-api) must say so, not claim `healthy`.
        const fine = j?.health === 'healthy' || j?.health === 'none' || j?.health === 'unknown';
        return j?.state === 'running' && fine ? j : undefined;
      });
      assert.equal(running.type, 'continuous');
      assert.equal(running.command, 'web');
    });

    it('reports no change when the same spec is upserted again', async () => {
      const change = await runtime.upsertJob(tool, web());
      assert.equal(change.changed, false);
    });

    it('restarts the job, which comes back running', async () => {
      await runtime.restartJob(tool, 'contract-web');
      await eventually('job running after restart', settle, async () => {
        const j = await job('contract-web');
        return j?.state === 'running' ? j : undefined;
      });
    });

    it('refuses to restart a missing job with not-found', async () => {
      await assert.rejects(
        runtime.restartJob(tool, 'contract-missing'),
        (error: Error & { kind?: string }) => {
          assert.equal(error.kind, 'not-found');
          return true;
        },
      );
    });

    it('registers a scheduled job', async () => {
      const spec: JobSpec = {
        name: 'contract-cron',
        type: 'scheduled',
        image,
        command: 'cleanup',
        schedule: '@daily',
      };
      assert.equal((await runtime.upsertJob(tool, spec)).changed, true);
      const registered = await eventually('scheduled job registered', settle, async () => {
        const j = await job('contract-cron');
        return j?.state === 'registered' ? j : undefined;
      });
      assert.equal(registered.type, 'scheduled');
      assert.equal(registered.schedule, '@daily');
    });

    it('runs a one-off job to completion (exit code 0), and runs it again as a new run', async () => {
      const spec: JobSpec = { name: 'contract-once', type: 'one-off', image, command: 'cleanup' };
      const finished = async (label: string, since: number) =>
        eventually(label, settle, async () => {
          const j = await job('contract-once');
          const started = Date.parse(j?.lastRun?.startedAt ?? '');
          // jobs-api dates a run to the second.
          const fresh = Number.isFinite(started) && started >= since - 1_000;
          return fresh && j?.lastRun?.state === 'succeeded' ? j : undefined;
        });
      const t0 = Date.now();
      await runtime.runOnce(tool, spec);
      const first = await finished('one-off run succeeded', t0);
      assert.equal(first.type, 'one-off');
      assert.equal(first.state, 'completed');
      assert.equal(first.lastRun?.exitCode, 0);
      // jobs-api dates runs to the second: the second run starts in a later second, so its record is told apart.
      const firstStart = Date.parse(first.lastRun?.startedAt ?? '');
      await new Promise((r) => setTimeout(r, Math.max(0, firstStart + 1_100 - Date.now())));
      await runtime.runOnce(tool, spec);
      const second = await finished('second one-off run succeeded', firstStart + 2_000);
      assert.ok(Date.parse(second.lastRun?.startedAt ?? '') > firstStart);
      assert.equal(second.lastRun?.exitCode, 0);
      await runtime.deleteJob(tool, 'contract-once');
    });

    it('deletes jobs, and deleting again succeeds', async () => {
      await runtime.deleteJob(tool, 'contract-web');
      await runtime.deleteJob(tool, 'contract-web');
      await runtime.deleteJob(tool, 'contract-cron');
      const snapshot = await observe();
      assert.deepEqual(
        snapshot.jobs.map((j) => j.name),
        [],
      );
    });

    it('cancels a running build', async () => {
      const started = await runtime.startBuild(tool, request(ctx.slowImageName ?? 'contract-cancel'));
      await runtime.cancelBuild(tool, started.id);
      const ended = await eventually('cancelled build ends', settle, async () => {
        const b = await build(started.id);
        return b && ['cancelled', 'failed', 'successful'].includes(b.state) ? b : undefined;
      });
      if (ctx.slowImageName) assert.equal(ended.state, 'cancelled');
      // Cancelling a build that has ended is a no-op, not an error.
      await runtime.cancelBuild(tool, started.id);
    });
  });
}
