/**
 * Helpers for the local runtime's tests: temp dirs, real git repositories, fast timings, polling for a
 * condition. Not used by production code.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalRuntime } from '../../src/runtimes/local/local-runtime.js';
import type { LocalTimings } from '../../src/runtimes/local/timings.js';

export const FAST_TIMINGS: Partial<LocalTimings> = {
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  backoffResetMs: 5_000,
  crashLoopThreshold: 3,
  crashLoopWindowMs: 10_000,
  healthIntervalMs: 100,
  healthTimeoutMs: 3_000,
  stopGraceMs: 1_000,
};

export function tempDir(prefix: string): { readonly path: string; readonly remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `tfc-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.org',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.org',
    },
  }).trim();
}

/** Creates (or adds to) a git repository with these files committed; returns the new commit. */
export function commitFiles(
  dir: string,
  files: Readonly<Record<string, string>>,
  message = 'change',
): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Running and not a zombie. */
/** Builds `repository` as `imageName` of `tool` and waits for it: the image, '' when the build left no record. */
export async function buildImage(
  runtime: LocalRuntime,
  tool: string,
  imageName: string,
  repository: string,
): Promise<string> {
  const build = await runtime.startBuild(tool, {
    imageName,
    repository,
    useLatestVersions: false,
    useDeprecatedVersions: false,
  });
  return (await runtime.waitForBuild(tool, build.id))?.image ?? '';
}

export { isRunning as isAlive } from '../../src/runtimes/local/process/pid-registry.js';

export async function httpGet(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000), headers: { connection: 'close' } });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}
