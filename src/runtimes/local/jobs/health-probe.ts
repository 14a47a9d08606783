/**
 * One health probe: an HTTP GET on the replica's port (2xx = healthy) or a script (exit 0 = healthy), each
 * bounded by a time-out. No keep-alive, so a probe never holds a connection to the process it checks. A failed
 * probe says why (the status answered, the connection error, the script's exit code and output): that text is
 * what a user waiting for the component reads.
 */
import { request } from 'node:http';
import type { HealthCheck } from '../../../model/tool-config.js';
import { describeExit, spawnGroup, stopGroup } from '../process/process-group.js';

export interface ProbeTarget {
  readonly host: string;
  readonly port?: number;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

export type ProbeResult =
  | { readonly ok: true }
  /** `refused`: nothing listens on the port (the cue to look for the port the process listens on instead). */
  | { readonly ok: false; readonly reason: string; readonly refused?: boolean };

/** Lines of a health script's output kept in its failure reason. */
const SCRIPT_OUTPUT_LINES = 3;

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms} ms`;
}

function probeHttp(path: string, target: ProbeTarget): Promise<ProbeResult> {
  if (target.port === undefined)
    return Promise.resolve({ ok: false, reason: 'health-check-http needs a port (run.port)' });
  const where = `${target.host}:${target.port}`;
  return new Promise((resolve) => {
    const req = request(
      { host: target.host, port: target.port, path, method: 'GET', agent: false, timeout: target.timeoutMs },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(
          status >= 200 && status < 300
            ? { ok: true }
            : { ok: false, reason: `GET http://${where}${path} answered ${status}` },
        );
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({
        ok: false,
        reason: `GET http://${where}${path}: no answer within ${seconds(target.timeoutMs)}`,
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED')
        resolve({ ok: false, reason: `connection refused on ${where}`, refused: true });
      else resolve({ ok: false, reason: `GET http://${where}${path}: ${error.code ?? error.message}` });
    });
    req.end();
  });
}

async function probeScript(script: string, target: ProbeTarget): Promise<ProbeResult> {
  const output: string[] = [];
  const proc = spawnGroup(script, {
    cwd: target.cwd,
    env: target.env,
    onLine: (line) => {
      if (line.trim() === '') return;
      output.push(line);
      if (output.length > SCRIPT_OUTPUT_LINES) output.shift();
    },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopGroup(proc, 200);
  }, target.timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  if (exit.code === 0 && !timedOut) return { ok: true };
  const how = timedOut
    ? `did not finish within ${seconds(target.timeoutMs)}`
    : exit.signal !== null
      ? `was ${describeExit(exit)}`
      : `exited ${exit.code ?? 'unknown'}`;
  const said = output.length > 0 ? `: ${output.join(' / ')}` : ' (no output)';
  return { ok: false, reason: `health script ${how}${said}` };
}

export function probe(check: HealthCheck, target: ProbeTarget): Promise<ProbeResult> {
  return check.type === 'http' ? probeHttp(check.path, target) : probeScript(check.script, target);
}
