import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir, writeFiles } from '../../../../test/support/local-kit.js';
import { copyFilter, directoryHash } from './folder-hash.js';
import {
  DEFAULT_FOLDER_LIMITS,
  FolderLimitSettingError,
  FolderTooLargeError,
  folderLimitsFromEnv,
} from './folder-limits.js';

function sparseFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

describe('folder sources: hash and limits', () => {
  const tmp = tempDir('folder-hash');
  after(() => tmp.remove());

  it('ignores .git, node_modules, .venv and __pycache__ at any depth, and nothing else', async () => {
    const dir = join(tmp.path, 'skips');
    writeFiles(dir, { 'app.py': 'print(1)', 'lib/util.py': 'x = 1' });
    const first = await directoryHash(dir);
    writeFiles(dir, {
      'node_modules/a/index.js': 'a',
      'lib/node_modules/b.js': 'b',
      '.venv/bin/python': 'py',
      'lib/__pycache__/util.cpython-311.pyc': 'bytecode',
      'lib/.git/HEAD': 'ref: refs/heads/main',
    });
    assert.equal(await directoryHash(dir), first);
    // A name that merely looks like a skipped one is source.
    writeFiles(dir, { 'venv/readme': 'kept' });
    assert.notEqual(await directoryHash(dir), first);
  });

  it('changes with an empty folder and with a symlink target, not with what the link points to', async () => {
    const dir = join(tmp.path, 'kinds');
    const outside = join(tmp.path, 'outside.txt');
    writeFileSync(outside, 'one');
    writeFiles(dir, { 'a.txt': 'a' });
    const plain = await directoryHash(dir);
    mkdirSync(join(dir, 'logs'));
    const withFolder = await directoryHash(dir);
    assert.notEqual(withFolder, plain, 'an empty folder is copied into the image, so it counts');
    symlinkSync(outside, join(dir, 'link'));
    const linked = await directoryHash(dir);
    assert.notEqual(linked, withFolder);
    writeFileSync(outside, 'two, and longer');
    assert.equal(await directoryHash(dir), linked, 'the image holds the link, not the file it points to');
  });

  it('copies exactly what it hashes', async () => {
    const dir = join(tmp.path, 'copied');
    writeFiles(dir, {
      'a.txt': 'a',
      'sub/node_modules/x.js': 'x',
      'sub/b.txt': 'b',
      '__pycache__/c.pyc': 'c',
    });
    symlinkSync('a.txt', join(dir, 'alias'));
    const copy = join(tmp.path, 'copy');
    await cp(dir, copy, { recursive: true, verbatimSymlinks: true, filter: copyFilter(dir) });
    assert.equal(await directoryHash(copy), await directoryHash(dir));
  });

  it('fails past the entry limit before reading any file, naming the folder, the limit and its variable', async () => {
    const dir = join(tmp.path, 'many');
    writeFiles(dir, Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`d${i % 30}/f${i}`, 'x'])));
    const started = performance.now();
    await assert.rejects(
      directoryHash(dir, { limits: { ...DEFAULT_FOLDER_LIMITS, maxEntries: 1_000 } }),
      (e) => {
        assert.ok(e instanceof FolderTooLargeError);
        assert.equal(e.folder, dir);
        assert.equal(e.limit, 'entries');
        assert.match(
          e.message,
          new RegExp(`^folder ${dir} is too large to build from: more than 1000 files`),
        );
        assert.match(e.message, /TOOLFORGE_COMPONENTS_FOLDER_MAX_FILES=2000/);
        return true;
      },
    );
    assert.ok(performance.now() - started < 2_000);
  });

  it('fails past the size limit from the sizes alone: a 64 GiB file is never read', async () => {
    const dir = join(tmp.path, 'huge');
    mkdirSync(dir);
    sparseFile(join(dir, 'disk.img'), 64 * 1024 ** 3);
    const started = performance.now();
    await assert.rejects(directoryHash(dir), (e) => {
      assert.ok(e instanceof FolderTooLargeError);
      assert.equal(e.limit, 'bytes');
      assert.match(e.message, /more than 512 MiB of files/);
      assert.match(e.message, /TOOLFORGE_COMPONENTS_FOLDER_MAX_BYTES=1024M/);
      return true;
    });
    assert.ok(performance.now() - started < 1_000);
  });

  it('stops when its signal aborts', async () => {
    const dir = join(tmp.path, 'aborted');
    mkdirSync(dir);
    sparseFile(join(dir, 'big.bin'), 256 * 1024 ** 2);
    const controller = new AbortController();
    const hashing = directoryHash(dir, { signal: controller.signal });
    controller.abort();
    await assert.rejects(hashing);
  });

  it('reads its limits from the environment, with K/M/G for bytes, and refuses nonsense', () => {
    assert.deepEqual(folderLimitsFromEnv({}), DEFAULT_FOLDER_LIMITS);
    assert.deepEqual(
      folderLimitsFromEnv({
        TOOLFORGE_COMPONENTS_FOLDER_MAX_FILES: '50000',
        TOOLFORGE_COMPONENTS_FOLDER_MAX_BYTES: '2G',
      }),
      { maxEntries: 50_000, maxBytes: 2 * 1024 ** 3 },
    );
    assert.equal(
      folderLimitsFromEnv({ TOOLFORGE_COMPONENTS_FOLDER_MAX_BYTES: '1048576' }).maxBytes,
      1024 ** 2,
    );
    for (const env of [
      { TOOLFORGE_COMPONENTS_FOLDER_MAX_FILES: 'lots' },
      { TOOLFORGE_COMPONENTS_FOLDER_MAX_FILES: '10k' },
      { TOOLFORGE_COMPONENTS_FOLDER_MAX_BYTES: '0' },
      { TOOLFORGE_COMPONENTS_FOLDER_MAX_BYTES: '-5M' },
    ]) {
      assert.throws(() => folderLimitsFromEnv(env), FolderLimitSettingError, JSON.stringify(env));
    }
  });
});
