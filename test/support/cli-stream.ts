/**
 * Runs the real `toolforge-components` executable with piped output (as in CI) and records every line with the
 * moment it arrived, so a test can tell output that streamed from output printed at the end.
 */
import { spawn } from 'node:child_process';
import { BIN } from './cli-process.js';

export interface TimedLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** Milliseconds after the process was started. */
  readonly atMs: number;
}

export interface StreamedRun {
  readonly code: number | null;
  readonly lines: readonly TimedLine[];
  /** When the process exited, in ms after it started. */
  readonly exitMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCliStreamed(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<StreamedRun> {
  const started = performance.now();
  const lines: TimedLine[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (stream: 'stdout' | 'stderr') => {
      let rest = '';
      return (chunk: Buffer): void => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop() ?? '';
        const atMs = performance.now() - started;
        for (const text of parts) lines.push({ stream, text, atMs });
      };
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = (stream: 'stdout' | 'stderr'): string =>
        lines
          .filter((l) => l.stream === stream)
          .map((l) => `${l.text}\n`)
          .join('');
      resolve({
        code,
        lines,
        exitMs: performance.now() - started,
        stdout: text('stdout'),
        stderr: text('stderr'),
      });
    });
  });
}

/** The run as it looked: `+1.2s stderr| line`, for assertion messages and transcripts. */
export function transcript(run: StreamedRun): string {
  return run.lines.map((l) => `+${(l.atMs / 1000).toFixed(1)}s ${l.stream}| ${l.text}`).join('\n');
}
