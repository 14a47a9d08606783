import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LocalRuntime } from '../../../../../src/runtimes/local/local-runtime.js';
import { FAST_TIMINGS, commitFiles, tempDir, waitFor, writeFiles } from '../../../../support/local-kit.js';
import { parseImageRef } from '../../../../../src/runtimes/local/build/image-store.js';

const request = (repository: string, ref?: string) => ({
  imageName: 'web',
  repository,
  ref,
  useLatestVersions: false,
  useDeprecatedVersions: false,
});

describe('local builds', () => {
  const tmp = tempDir('build');
  let runtime: LocalRuntime;

  before(() => {
    runtime = new LocalRuntime({ dataDir: join(tmp.path, 'data'), timings: FAST_TIMINGS });
  });
  after(async () => {
    await runtime.shutdown();
    tmp.remove();
  });

  async function build(repository: string, ref?: string) {
    const started = await runtime.startBuild('t1', request(repository, ref));
    const record = await runtime.waitForBuild('t1', started.id);
    assert.ok(record);
    return record;
  }

  it('builds a git repository at a branch into an image with the checked-out files', async () => {
    const repo = join(tmp.path, 'git-repo');
    const first = commitFiles(repo, { Procfile: 'web: node app.js\n', 'app.js': 'v1' });
    commitFiles(repo, { 'app.js': 'v2' });
    const record = await build(repo, first);
    assert.equal(record.state, 'successful', record.message);
    assert.equal(record.resolvedCommit, first);
    const image = parseImageRef(record.image ?? '');
    assert.ok(image);
    const dir = join(tmp.path, 'data', 'images', image.key);
    assert.equal(readFileSync(join(dir, 'app.js'), 'utf8'), 'v1');
    assert.equal(existsSync(join(dir, '.git')), false);
  });

  it('builds from a file:// URL at the default branch', async () => {
    const repo = join(tmp.path, 'url-repo');
    const head = commitFiles(repo, { 'app.js': 'url' });
    const record = await build(pathToFileURL(repo).href);
    assert.equal(record.state, 'successful', record.message);
    assert.equal(record.resolvedCommit, head);
  });

  it('snapshots a plain directory, keyed by its content hash', async () => {
    const dir = join(tmp.path, 'plain');
    writeFiles(dir, { 'app.js': 'plain', 'node_modules/x/index.js': 'ignored' });
    const first = await build(dir);
    assert.equal(first.state, 'successful', first.message);
    assert.match(first.resolvedCommit ?? '', /^[0-9a-f]{64}$/);
    const image = join(tmp.path, 'data', 'images', parseImageRef(first.image ?? '')?.key ?? '');
    assert.equal(readFileSync(join(image, 'app.js'), 'utf8'), 'plain');
    assert.equal(existsSync(join(image, 'node_modules')), false);
    writeFiles(dir, { 'app.js': 'changed' });
    const second = await build(dir);
    assert.notEqual(second.resolvedCommit, first.resolvedCommit);
    assert.notEqual(second.image, first.image);
  });

  it('never rebuilds an unchanged source, even when two builds start together', async () => {
    const repo = join(tmp.path, 'counted');
    const counter = join(tmp.path, 'build-count');
    commitFiles(repo, { 'build.sh': `echo built >> ${counter}\nsleep 0.3\n` });
    const [a, b] = await Promise.all([build(repo), build(repo)]);
    const c = await build(repo);
    for (const record of [a, b, c]) assert.equal(record.state, 'successful', record.message);
    assert.equal(new Set([a.image, b.image, c.image]).size, 1);
    assert.equal(readFileSync(counter, 'utf8'), 'built\n');
    assert.ok((await runtime.buildLogs('t1', c.id)).some((line) => line.includes('not rebuilt')));
  });

  it('reports a failed build with its last log lines and keeps no partial image', async () => {
    const repo = join(tmp.path, 'broken');
    commitFiles(repo, {
      'bin/build': 'echo compiling things\necho "error: missing semicolon" >&2\nexit 3\n',
    });
    const record = await build(repo);
    assert.equal(record.state, 'failed');
    assert.match(record.message ?? '', /build step 'bin\/build' failed \(exit code 3\)/);
    assert.match(record.message ?? '', /error: missing semicolon/);
    assert.equal(record.image, undefined);
    assert.ok((await runtime.buildLogs('t1', record.id)).some((l) => l.includes('compiling things')));
  });

  it('fails a build whose ref does not exist, with the reason', async () => {
    const repo = join(tmp.path, 'git-repo');
    const record = await build(repo, 'no-such-branch');
    assert.equal(record.state, 'failed');
    assert.match(record.message ?? '', /cannot resolve ref: Failed to resolve ref 'no-such-branch'/);
  });

  it('cancels a running build and kills its process', async () => {
    const repo = join(tmp.path, 'slow');
    const marker = join(tmp.path, 'slow-finished');
    commitFiles(repo, { 'build.sh': `echo slow build started\nsleep 20\ntouch ${marker}\n` });
    const started = await runtime.startBuild('t1', request(repo));
    // Cancel once the build's own process runs (its first line is in the log), not at some guessed moment.
    await waitFor('the slow build runs', async () =>
      (await runtime.buildLogs('t1', started.id)).some((l) => l.includes('slow build started')),
    );
    await runtime.cancelBuild('t1', started.id);
    const record = await runtime.waitForBuild('t1', started.id);
    assert.equal(record?.state, 'cancelled');
    assert.equal(existsSync(marker), false);
  });

  it('queues builds beyond maxParallelBuilds as pending', async () => {
    const queued = new LocalRuntime({
      dataDir: join(tmp.path, 'queued'),
      timings: FAST_TIMINGS,
      maxParallelBuilds: 1,
    });
    try {
      const slow = join(tmp.path, 'slow-2');
      commitFiles(slow, { 'build.sh': 'sleep 20\n' });
      const first = await queued.startBuild('t1', request(slow));
      const second = await queued.startBuild('t1', request(join(tmp.path, 'git-repo')));
      const states = async () => (await queued.observe('t1')).builds.map((b) => b.state);
      await waitFor('first build running', async () => (await states())[0] === 'running');
      assert.deepEqual(await states(), ['running', 'pending']);
      await queued.cancelBuild('t1', first.id);
      assert.equal((await queued.waitForBuild('t1', second.id))?.state, 'successful');
    } finally {
      await queued.shutdown();
    }
  });

  it('lists its builds in observe() and keeps them for a new runtime on the same data dir', async () => {
    const snapshot = await runtime.observe('t1');
    const again = new LocalRuntime({ dataDir: join(tmp.path, 'data'), timings: FAST_TIMINGS });
    const reloaded = await again.observe('t1');
    await again.shutdown();
    assert.deepEqual(
      reloaded.builds.map((b) => [b.id, b.state, b.image]),
      snapshot.builds.map((b) => [b.id, b.state, b.image]),
    );
    assert.ok(snapshot.builds.length >= 8);
  });
});
