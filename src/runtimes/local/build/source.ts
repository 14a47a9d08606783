/**
 * Where a build's source comes from. `repository` is one of:
 * - a git URL (`https://…`, `ssh://…`, `git@host:path`, `file://…`);
 * - an absolute path to a git repository (a work tree with `.git`, or a bare repository);
 * - an absolute path to a plain directory (relative paths are resolved by the CLI against the config file).
 * For a plain directory the "commit" is a content hash (`folder-hash.ts`, bounded by `FolderLimits`), so an
 * unchanged directory maps to the same image.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { RuntimeError } from '../../runtime.js';
import { resolveRef } from '../../git.js';
import type { RefResolution } from '../../../model/observed-state.js';
import { copyFilter, directoryHash } from './folder-hash.js';
import { DEFAULT_FOLDER_LIMITS, FolderTooLargeError, type FolderLimits } from './folder-limits.js';

export type Source =
  { readonly kind: 'git'; readonly url: string } | { readonly kind: 'directory'; readonly path: string };

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/\s]+@[^/\s:]+:/;

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

/** The commit a build of (repository, ref) would use. Never throws for an unreachable source. */
export async function resolveSource(
  repository: string,
  ref: string | undefined,
  signal?: AbortSignal,
  limits: FolderLimits = DEFAULT_FOLDER_LIMITS,
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
    return { ok: true, commit: await directoryHash(source.path, { limits, ...(signal ? { signal } : {}) }) };
  } catch (error) {
    if (error instanceof FolderTooLargeError) return { ok: false, error: error.message };
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
  limits: FolderLimits = DEFAULT_FOLDER_LIMITS,
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
    filter: copyFilter(source.path),
  });
  const copied = await directoryHash(target, { limits, signal });
  if (copied !== commit) {
    throw new Error(`${source.path} changed while it was being copied; build again`);
  }
}
