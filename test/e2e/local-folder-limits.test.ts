/**
 * Plain-folder sources past the local runtime's limits, through the real HTTP API: the deployment is recorded
 * and fails at once with a reason that names the folder, the limit and how to raise it, instead of the request
 * hanging while gigabytes are hashed; and while a big folder is being hashed the server keeps answering.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openE2e, task, type E2e } from '../support/local-e2e.js';
import { writeFiles } from '../support/local-kit.js';

/** A `folder` component built from `dir` (a plain folder, not a git repository). */
function folderConfig(dir: string): Record<string, unknown> {
  return {
    'config-version': 0.1,
    components: {
      folder: {
        type: 'scheduled',
        build: { repository: dir },
        run: { command: 'true', schedule: '@daily' },
      },
    },
  };
}

describe('local e2e: plain folders past the limits', () => {
  let e2e: E2e;
  before(async () => {
    e2e = await openE2e('limits', { folderLimits: { maxEntries: 200, maxBytes: 1024 * 1024 * 1024 } });
  });
  after(() => e2e?.close());

  it('records a deployment that fails at once, naming the folder, the limit and how to raise it', async () => {
    const dir = join(e2e.dir, 'many-files');
    writeFiles(dir, Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}.txt`, String(i)])));
    const started = performance.now();
    const outcome = await e2e.deploy(folderConfig(dir));
    const ms = performance.now() - started;
    assert.equal(outcome.status, 'failed', outcome.longStatus);
    const build = task(outcome, 'build:folder');
    assert.equal(build.state, 'failed');
    assert.match(
      build.reason ?? '',
      new RegExp(`folder ${dir} is too large to build from: more than 200 files`),
    );
    assert.match(build.reason ?? '', /TOOLFORGE_COMPONENTS_FOLDER_MAX_FILES=400/);
    assert.equal(task(outcome, 'deploy:folder').state, 'skipped');
    assert.ok(ms < 10_000, `the failed deployment took ${Math.round(ms)} ms`);
  });

  it('keeps answering other requests while it hashes a big folder', async () => {
    const dir = join(e2e.dir, 'big-file');
    writeFiles(dir, { Procfile: 'job: true\n' });
    // 800 MiB of zeros without writing them (a sparse file), under the 1 GiB limit: all of it is hashed.
    const fd = openSync(join(dir, 'big.bin'), 'w');
    ftruncateSync(fd, 800 * 1024 * 1024);
    closeSync(fd);

    let planning = true;
    const plan = e2e.plan(folderConfig(dir)).finally(() => (planning = false));
    const latencies: number[] = [];
    while (planning) {
      const started = performance.now();
      const response = await fetch(`${e2e.instance.url}/metrics`);
      await response.text();
      if (planning) latencies.push(performance.now() - started);
    }
    const { components } = await plan;
    assert.equal(components[0]?.build?.kind, 'build', 'the folder was hashed and is to be built');
    assert.ok(latencies.length >= 3, `only ${latencies.length} requests answered while hashing`);
    const worst = Math.max(...latencies);
    assert.ok(worst < 250, `a request waited ${Math.round(worst)} ms while the folder was hashed`);
  });
});
