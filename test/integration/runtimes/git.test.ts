import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveRef } from '../../../src/runtimes/git.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

describe('resolveRef', () => {
  let dir = '';
  let repo = '';
  const commits: Record<string, string> = {};

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfc-git-'));
    repo = join(dir, 'repo');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'first');
    commits.first = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'tag', '-a', 'v1', '-m', 'annotated');
    git(repo, 'tag', 'light');
    git(repo, 'branch', 'feature');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'second');
    commits.second = git(repo, 'rev-parse', 'HEAD');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves HEAD when no ref is given, for a path and a file:// URL', async () => {
    assert.deepEqual(await resolveRef(repo, undefined), { ok: true, commit: commits.second });
    assert.deepEqual(await resolveRef(pathToFileURL(repo).href, undefined), {
      ok: true,
      commit: commits.second,
    });
  });

  it('resolves branches, lightweight and annotated tags (peeled) and full ref names', async () => {
    assert.deepEqual(await resolveRef(repo, 'main'), { ok: true, commit: commits.second });
    assert.deepEqual(await resolveRef(repo, 'feature'), { ok: true, commit: commits.first });
    assert.deepEqual(await resolveRef(repo, 'light'), { ok: true, commit: commits.first });
    assert.deepEqual(await resolveRef(repo, 'v1'), { ok: true, commit: commits.first });
    assert.deepEqual(await resolveRef(repo, 'refs/heads/feature'), { ok: true, commit: commits.first });
  });

  it('returns a full commit as is without asking git', async () => {
    const commit = 'ABCDEF0123456789abcdef0123456789abcdef01';
    assert.deepEqual(await resolveRef('/does/not/exist', commit), { ok: true, commit: commit.toLowerCase() });
  });

  it("reports a missing ref with upstream's message", async () => {
    assert.deepEqual(await resolveRef(repo, 'nope'), {
      ok: false,
      error: `Failed to resolve ref 'nope' for repository '${repo}', does it exist?`,
    });
  });

  it("reports an unreachable repository with git's first stderr line", async () => {
    const missing = join(dir, 'missing');
    const result = await resolveRef(missing, 'main');
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error, `fatal: '${missing}' does not appear to be a git repository`);
  });

  it('refuses an option-like repository', async () => {
    const result = await resolveRef('--upload-pack=touch', 'main');
    assert.equal(result.ok, false);
  });

  it('honours an aborted signal', async () => {
    const result = await resolveRef(repo, 'main', { signal: AbortSignal.abort() });
    assert.equal(result.ok, false);
  });
});
