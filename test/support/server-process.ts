/**
 * A server as a real child process (`serve`, or a test script that starts an instance): spawned with
 * `node --import tsx`, ready when its output names its URL, stopped gracefully or killed by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's entry point, as `node --import tsx` runs it (no build needed). */
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Spawns `node --import tsx <args>` and resolves once a line matches `ready` (its group 1 is the URL). Starting
 * takes seconds (tsx compiles the sources), tens of seconds on a loaded machine.
 */
export async function spawnServer(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const kill = async (): Promise<void> => {
    child.kill('SIGKILL');
    await exited(child);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`server not ready after ${timeoutMs} ms:\n${text}`)),
      timeoutMs,
    );
    const onData = (d: Buffer): void => {
      text += d.toString('utf8');
      const found = ready.exec(text)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) =>
      fail(
        Object.assign(new Error(`server exited (${code ?? signal}) before ready:\n${text}`), {
          code,
          output: text,
        }),
      ),
    );
  });
  return {
    url,
    child,
    output: () => text,
    kill,
    async stop(graceMs = 10_000) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
