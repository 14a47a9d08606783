/**
 * Every process the local runtime starts runs as `/bin/sh -c <command>` in its own process group (detached), so
 * that stopping it stops everything it forked: SIGTERM to the group, SIGKILL after a grace period. Output is
 * delivered line by line.
 */
import { spawn } from 'node:child_process';
import type { PidRegistry } from './pid-registry.js';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  readonly pid: number;
  /** Resolves when the shell exits (stragglers in its group are then killed). Never rejects. */
  readonly exited: Promise<ExitInfo>;
  readonly hasExited: () => boolean;
}

export interface SpawnOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  readonly registry?: PidRegistry;
}

function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) onLine(part.replace(/\r$/, ''));
    },
    flush() {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already empty
  }
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}

export function spawnGroup(command: string, options: SpawnOptions): GroupProcess {
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = lineSplitter((line) => options.onLine(line, 'stdout'));
  const err = lineSplitter((line) => options.onLine(line, 'stderr'));
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  let done = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('error', (error) => {
      done = true;
      options.onLine(`cannot start: ${error.message}`, 'stderr');
      resolve({ code: 127, signal: null });
    });
    child.on('exit', (code, signal) => {
      // The shell is gone; whatever it left in its group would be an orphan.
      if (child.pid !== undefined) {
        killGroup(child.pid, 'SIGKILL');
        options.registry?.remove(child.pid);
      }
      const finish = (): void => {
        if (done) return;
        done = true;
        out.flush();
        err.flush();
        resolve({ code, signal });
      };
      // 'close' comes once the pipes are drained; a process that escaped the group could hold them open.
      child.once('close', finish);
      setTimeout(finish, 1_000).unref();
    });
  });
  const pid = child.pid ?? -1;
  if (pid > 0) options.registry?.add(pid);
  return { pid, exited, hasExited: () => done };
}

/** SIGTERM the group, SIGKILL it after `graceMs`, resolve once the shell has exited. */
export async function stopGroup(proc: GroupProcess, graceMs: number): Promise<ExitInfo> {
  if (proc.pid <= 0 || proc.hasExited()) return proc.exited;
  killGroup(proc.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      killGroup(proc.pid, 'SIGKILL');
      resolve();
    }, graceMs);
  });
  const exit = await Promise.race([proc.exited, forced.then(() => proc.exited)]);
  clearTimeout(timer);
  return exit;
}
