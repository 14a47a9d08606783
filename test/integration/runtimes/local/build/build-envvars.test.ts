import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadConfigObject } from '../../../../../src/config/load.js';
import { planDeployment } from '../../../../../src/plan/plan-builder.js';
import { emptyObservedState, refKey } from '../../../../../src/model/observed-state.js';
import { LocalRuntime } from '../../../../../src/runtimes/local/local-runtime.js';
import { FAST_TIMINGS, commitFiles, tempDir } from '../../../../support/local-kit.js';
import { parseImageRef } from '../../../../../src/runtimes/local/build/image-store.js';

describe('local builds with build envvars (config build.envvars)', () => {
  const tmp = tempDir('build-envvars');
  let runtime: LocalRuntime;
  let repo = '';
  let commit = '';

  before(() => {
    runtime = new LocalRuntime({ dataDir: join(tmp.path, 'data'), timings: FAST_TIMINGS });
    const dir = join(tmp.path, 'app');
    // The build script writes what its environment holds into the image.
    commit = commitFiles(dir, {
      Procfile: 'web: cat greeting.txt\n',
      'bin/build': 'printf "%s" "$GREETING" > greeting.txt\n',
    });
    repo = pathToFileURL(dir).href;
  });
  after(async () => {
    await runtime.shutdown();
    tmp.remove();
  });

  async function build(envvars: Record<string, string>) {
    const started = await runtime.startBuild('t1', {
      imageName: 'web',
      repository: repo,
      ref: 'main',
      useLatestVersions: false,
      useDeprecatedVersions: false,
      envvars,
    });
    const record = await runtime.waitForBuild('t1', started.id);
    assert.ok(record);
    assert.equal(record.state, 'successful', record.message);
    const image = parseImageRef(record.image ?? '');
    assert.ok(image, record.image);
    return { record, dir: join(tmp.path, 'data', 'images', image.key), id: started.id };
  }

  it('gives the envvars to the build steps, records them, and keeps their values out of the build log', async () => {
    const { record, dir, id } = await build({ GREETING: 'hello from the config' });
    assert.equal(readFileSync(join(dir, 'greeting.txt'), 'utf8'), 'hello from the config');
    assert.deepEqual(record.envvars, { GREETING: 'hello from the config' });
    const log = (await runtime.buildLogs('t1', id)).join('\n');
    assert.match(log, /build environment variables: GREETING/);
    assert.doesNotMatch(log, /hello from the config/);
  });

  it('builds other envvars into another image', async () => {
    const a = await build({ GREETING: 'one' });
    const b = await build({ GREETING: 'two' });
    assert.notEqual(a.record.image, b.record.image);
    assert.equal(readFileSync(join(b.dir, 'greeting.txt'), 'utf8'), 'two');
  });

  it('lets the plan reuse a build made with the same envvars, and rebuild when they change', async () => {
    await build({ GREETING: 'hello from the config' });
    const config = (envvars: Record<string, string>) => {
      const loaded = loadConfigObject({
        'config-version': 0.1,
        components: {
          web: {
            type: 'continuous',
            build: { repository: repo, ref: 'main', envvars },
            run: { command: 'web' },
          },
        },
      });
      assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
      return loaded.config;
    };
    const { builds, jobs } = await runtime.observe('t1');
    const observed = {
      ...emptyObservedState('t1'),
      builds,
      jobs,
      resolvedRefs: { [refKey(repo, 'main')]: { ok: true as const, commit } },
    };
    const options = { forceBuild: false, forceRun: false, prune: false };
    const same = planDeployment(config({ GREETING: 'hello from the config' }), observed, options);
    assert.equal(same.components[0]?.build?.kind, 'reuse-build', JSON.stringify(same.components[0]));
    const changed = planDeployment(config({ GREETING: 'something else' }), observed, options);
    assert.equal(changed.components[0]?.build?.kind, 'build', JSON.stringify(changed.components[0]));
  });
});
