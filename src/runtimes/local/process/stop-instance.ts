/**
 * What `down` does to a local instance, from outside its process: list the processes carrying the data dir's
 * marker, stop the service (SIGTERM; SIGKILL after `serviceWaitMs`), then sweep whatever still carries the
 * marker — components that daemonized out of their process group, or everything when the service was killed
 * or had crashed — and report what stopped and what could not be stopped.
 */
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findMarked, type MarkedProcess } from './instance-marker.js';
import { sweepInstance, type SweepReport } from './instance-sweep.js';

export interface StopInstanceOptions {
  /** The service's pid (from instance.json), when one is running. */
  readonly servicePid?: number;
  /** How long the service may take to stop its components before it is killed. */
  readonly serviceWaitMs?: number;
  /** SIGTERM → SIGKILL grace for the processes the sweep finds. */
  readonly graceMs?: number;
}

export interface StopInstanceReport {
  /** The service did not stop on SIGTERM within `serviceWaitMs` and was killed. */
  readonly serviceKilled: boolean;
  /** Every marked process that is gone now (stopped by the service or by the sweep). */
  readonly stopped: readonly MarkedProcess[];
  /** The part of `stopped` the sweep had to stop: the service left them running, or there was no service. */
  readonly swept: readonly MarkedProcess[];
  readonly survivors: SweepReport['survivors'];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopService(pid: number, waitMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false; // already gone
  }
  // Not our child: there is no exit event to await, only its pid to watch.
  for (const deadline = Date.now() + waitMs; alive(pid) && Date.now() < deadline;) await sleep(100);
  if (!alive(pid)) return false;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(20);
  return true;
}

export async function stopInstance(
  dataDir: string,
  options: StopInstanceOptions = {},
): Promise<StopInstanceReport> {
  const marker = { instance: resolve(dataDir) };
  const before = await findMarked(marker);
  const serviceKilled =
    options.servicePid !== undefined
      ? await stopService(options.servicePid, options.serviceWaitMs ?? 30_000)
      : false;
  const sweep = await sweepInstance(marker, { graceMs: options.graceMs ?? 5_000 });
  const survivors = new Set(sweep.survivors.map((p) => p.pid));
  const stopped = new Map<number, MarkedProcess>();
  for (const p of [...before, ...sweep.stopped]) if (!survivors.has(p.pid)) stopped.set(p.pid, p);
  return {
    serviceKilled,
    stopped: [...stopped.values()].sort((a, b) => a.pid - b.pid),
    swept: sweep.stopped,
    survivors: sweep.survivors,
  };
}
