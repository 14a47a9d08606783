import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { commitFiles, tempDir, writeFiles } from '../../../../support/local-kit.js';
import { detectBuildSteps } from '../../../../../src/runtimes/local/build/build-steps.js';
import { directoryHash } from '../../../../../src/runtimes/local/build/folder-hash.js';
import { classifySource, resolveLocalRepository } from '../../../../../src/runtimes/local/build/source.js';

describe('build sources', () => {
  const tmp = tempDir('source');
  after(() => tmp.remove());

  it('tells git URLs, git repositories and plain directories apart', () => {
    const repo = join(tmp.path, 'repo');
    commitFiles(repo, { a: '1' });
    const plain = join(tmp.path, 'plain');
    mkdirSync(plain);
    assert.deepEqual(classifySource('https://gitlab.wikimedia.org/toolforge-repos/x'), {
      kind: 'git',
      url: 'https://gitlab.wikimedia.org/toolforge-repos/x',
    });
    assert.deepEqual(classifySource('git@example.org:x/y.git'), {
      kind: 'git',
      url: 'git@example.org:x/y.git',
    });
    assert.deepEqual(classifySource(repo), { kind: 'git', url: repo });
    assert.deepEqual(classifySource(plain), { kind: 'directory', path: plain });
    assert.throws(() => classifySource('relative/path'), /neither a URL nor an absolute path/);
    assert.throws(() => classifySource(join(tmp.path, 'missing')), /does not exist/);
  });

  it('resolves a relative repository against the config folder only', () => {
    assert.equal(resolveLocalRepository('./toolhunt', '/srv/tool'), '/srv/tool/toolhunt');
    assert.equal(resolveLocalRepository('/abs/repo', '/srv/tool'), '/abs/repo');
    assert.equal(resolveLocalRepository('file:///abs/repo', '/srv/tool'), 'file:///abs/repo');
    assert.equal(resolveLocalRepository('git@host:x/y.git', '/srv/tool'), 'git@host:x/y.git');
  });

  it('hashes a directory by paths, contents and executable bits, ignoring .git and node_modules', async () => {
    const dir = join(tmp.path, 'hashed');
    writeFiles(dir, { 'a.txt': 'a', 'sub/b.txt': 'b' });
    const first = await directoryHash(dir);
    writeFiles(dir, { 'node_modules/x.js': 'x', '.git/HEAD': 'ref' });
    assert.equal(await directoryHash(dir), first);
    chmodSync(join(dir, 'a.txt'), 0o755);
    const executable = await directoryHash(dir);
    assert.notEqual(executable, first);
    writeFileSync(join(dir, 'sub/b.txt'), 'B');
    assert.notEqual(await directoryHash(dir), executable);
  });

  it('detects buildpack-style steps and skips installs with nothing to install', () => {
    const none = join(tmp.path, 'steps-none');
    writeFiles(none, { 'package.json': '{"name":"x"}', 'requirements.txt': '# nothing\n' });
    assert.deepEqual(detectBuildSteps(none), {
      steps: [{ name: 'python venv', command: 'python3 -m venv .venv' }],
      notes: [
        'package.json declares no dependencies: npm install skipped',
        'requirements.txt lists nothing: pip install skipped',
      ],
    });
    const all = join(tmp.path, 'steps-all');
    writeFiles(all, {
      'package.json': '{"dependencies":{"left-pad":"1"}}',
      'package-lock.json': '{}',
      'requirements.txt': 'flask\n',
      'build.sh': 'true',
      'bin/build': 'true',
    });
    assert.deepEqual(
      detectBuildSteps(all).steps.map((s) => s.name),
      ['npm ci', 'python venv', 'pip install', 'bin/build'],
    );
  });
});
