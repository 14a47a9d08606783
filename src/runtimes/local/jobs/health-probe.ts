/**
 * One health probe: an HTTP GET on the replica's port (2xx = healthy) or a script (exit 0 = healthy), each
 * bounded by a time-out. No keep-alive, so a probe never holds a connection to the process it checks.
 */
import { request } from 'node:http';
import type { HealthCheck } from '../../../config/tool-config.js';
import { spawnGroup, stopGroup } from '../process/process-group.js';

export interface ProbeTarget {
  readonly host: string;
  readonly port?: number;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

function probeHttp(path: string, target: ProbeTarget): Promise<boolean> {
  if (target.port === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request(
      { host: target.host, port: target.port, path, method: 'GET', agent: false, timeout: target.timeoutMs },
      (res) => {
        res.resume();
        resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function probeScript(script: string, target: ProbeTarget): Promise<boolean> {
  const proc = spawnGroup(script, { cwd: target.cwd, env: target.env, onLine: () => undefined });
  const timer = setTimeout(() => void stopGroup(proc, 200), target.timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  return exit.code === 0;
}

export function probe(check: HealthCheck, target: ProbeTarget): Promise<boolean> {
  return check.type === 'http' ? probeHttp(check.path, target) : probeScript(check.script, target);
}
