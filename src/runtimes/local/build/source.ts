/**
 * Where a build's source comes from. `repository` is one of:
 * - a git URL (`https://…`, `ssh://…`, `git@host:path`, `file://…`);
 * - an absolute path to a git repository (a work tree with `.git`, or a bare repository);
 * - an absolute path to a plain directory (relative paths are resolved by the CLI against the config file).
 * For a plain directory the "commit" is a content hash, so an unchanged directory maps to the same image.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { cp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { RuntimeError } from '../../runtime.js';
import { resolveRef } from '../../git.js';
import type { RefResolution } from '../../../status/observed-state.js';

export type Source =
  { readonly kind: 'git'; readonly url: string } | { readonly kind: 'directory'; readonly path: string };

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/\s]+@[^/\s:]+:/;
/** Never part of a directory snapshot: VCS metadata and dependencies the build installs itself. */
const SKIPPED = new Set(['.git', 'node_modules']);

function isGitRepository(path: string): boolean {
  if (existsSync(join(path, '.git'))) return true;
  return (
    existsSync(join(path, 'HEAD')) && existsSync(join(path, 'objects')) && existsSync(join(path, 'refs'))
  );
}

/**
 * For callers holding a config file: a relative `repository` means a directory relative to the config file's
 * folder (the example's `./toolhunt`); URLs and absolute paths are returned unchanged.
 */
export function resolveLocalRepository(repository: string, configDir: string): string {
  if (URL_LIKE.test(repository) || SCP_LIKE.test(repository) || isAbsolute(repository)) return repository;
  return resolve(configDir, repository);
}

export function classifySource(repository: string): Source {
  if (URL_LIKE.test(repository) || SCP_LIKE.test(repository)) return { kind: 'git', url: repository };
  if (!isAbsolute(repository)) {
    throw new RuntimeError('rejected', `repository '${repository}' is neither a URL nor an absolute path`);
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(repository).isDirectory();
  } catch {
    throw new RuntimeError('rejected', `repository '${repository}' does not exist`);
  }
  if (!isDirectory) throw new RuntimeError('rejected', `repository '${repository}' is not a directory`);
  return isGitRepository(repository)
    ? { kind: 'git', url: repository }
    : { kind: 'directory', path: repository };
}

async function listFiles(root: string, relative = ''): Promise<string[]> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    if (SKIPPED.has(entry.name)) continue;
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)));
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(path);
  }
  return out;
}

/** sha256 over the sorted relative paths, their executable bit and contents (symlinks: their target). */
export async function directoryHash(root: string): Promise<string> {
  const hash = createHash('sha256');
  for (const path of (await listFiles(root)).sort()) {
    const full = join(root, path);
    const info = statSync(full, { throwIfNoEntry: false });
    const link = info === undefined || !info.isFile();
    const content = link
      ? Buffer.from(`symlink:${await readlink(full).catch(() => '')}`)
      : await readFile(full);
    const executable = info !== undefined && (info.mode & 0o111) !== 0;
    hash.update(`${path}\0${executable ? 'x' : '-'}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex');
}

/** The commit a build of (repository, ref) would use. Never throws for an unreachable source. */
export async function resolveSource(
  repository: string,
  ref: string | undefined,
  signal?: AbortSignal,
): Promise<RefResolution> {
  let source: Source;
  try {
    source = classifySource(repository);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  if (source.kind === 'git') return resolveRef(source.url, ref, { signal });
  if (ref !== undefined && ref !== '') {
    return { ok: false, error: `repository '${repository}' is a plain directory: it has no ref '${ref}'` };
  }
  try {
    return { ok: true, commit: await directoryHash(source.path) };
  } catch (error) {
    return { ok: false, error: `cannot read ${repository}: ${(error as Error).message}` };
  }
}

function git(args: readonly string[], cwd: string | undefined, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        signal,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args[0] ?? ''} failed: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Writes the source at `commit` into `target` (which must not exist). For a directory, the copy is hashed again
 * and must match `commit`: a directory edited mid-build would otherwise give an image that lies about its key.
 */
export async function checkoutSource(
  source: Source,
  commit: string,
  target: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<void> {
  if (source.kind === 'git') {
    log(`cloning ${source.url} at ${commit}`);
    await git(['clone', '--no-checkout', '--quiet', '--', source.url, target], undefined, signal);
    await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', commit], target, signal);
    await rm(join(target, '.git'), { recursive: true, force: true });
    return;
  }
  log(`copying ${source.path} (content hash ${commit.slice(0, 12)})`);
  await cp(source.path, target, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (from) => !SKIPPED.has(from.slice(from.lastIndexOf('/') + 1)),
  });
  const copied = await directoryHash(target);
  if (copied !== commit) {
    throw new Error(`${source.path} changed while it was being copied; build again`);
  }
}
