/**
 * Runs the real `toolforge-components` executable (bin/toolforge-components.js) as a child process, and finds
 * the processes whose working directory lies inside a folder (how the local runtime's components, which run in
 * their image directories, are found from outside, grandchildren included).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/toolforge-components.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the CLI to its exit; killed (and failing) after `timeoutMs`. */
export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Pids of live processes whose current directory is `dir` or below it. */
export function processesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Signal 0: true while the process exists (a zombie counts as gone once reaped by init). */
export function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whatever a test did, stops what it left running under `dir` before its files go: a detached service
 * (`down`, which stops its components, then SIGKILL if it is still there) and any process still working in it.
 */
export async function stopEverythingUnder(
  dir: string,
  env: Readonly<Record<string, string>>,
  servicePid?: number,
): Promise<void> {
  if (servicePid !== undefined && exists(servicePid)) {
    await runCli(['down'], env, { timeoutMs: 30_000 }).catch(() => undefined);
    if (exists(servicePid)) process.kill(servicePid, 'SIGKILL');
  }
  for (const pid of processesUnder(dir)) process.kill(pid, 'SIGKILL');
}
