/**
 * Stops the processes that carry an instance's marker (see `instance-marker.ts`): SIGTERM, then SIGKILL for
 * those still there after the grace period, and a report of what stopped and what did not. A process is only
 * signalled while its /proc start time is the one it was found with, so a recycled pid is never hit.
 * Dying processes may fork (a shell's trap, a supervisor restarting its child): the scan repeats, a few rounds.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { findMarked, processStartTime, type InstanceMarker, type MarkedProcess } from './instance-marker.js';

export interface SweepReport {
  readonly stopped: readonly MarkedProcess[];
  /** Still alive after SIGKILL (uninterruptible sleep, or not ours to signal), with the reason. */
  readonly survivors: readonly (MarkedProcess & { readonly reason: string })[];
}

export interface SweepOptions {
  /** SIGTERM → SIGKILL delay. */
  readonly graceMs: number;
  /** Spare the processes of this supervisor (a runtime sweeping the leftovers of an earlier one). */
  readonly exceptSupervisor?: string;
  /** How long to wait after SIGKILL before reporting a survivor. */
  readonly killWaitMs?: number;
}

const ROUNDS = 3;
const POLL_MS = 25;

/** The same process (start time), alive and not a zombie (a zombie is dead, only not yet reaped). */
async function stillThere(target: MarkedProcess): Promise<boolean> {
  return (await processStartTime(target.pid)) === target.startTime && !(await isZombie(target.pid));
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Signals `target`; the error code when it cannot be signalled (ESRCH counts as success: it is gone). */
function signal(target: MarkedProcess, name: NodeJS.Signals): string | undefined {
  try {
    process.kill(target.pid, name);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ESRCH' ? undefined : code;
  }
}

/** Waits until none of `processes` is alive or `ms` passed; returns those still alive. */
async function waitGone(processes: readonly MarkedProcess[], ms: number): Promise<MarkedProcess[]> {
  const deadline = Date.now() + ms;
  let alive = [...processes];
  for (;;) {
    const checks = await Promise.all(alive.map(stillThere));
    alive = alive.filter((_, i) => checks[i]);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await sleep(POLL_MS);
  }
}

export async function sweepInstance(
  marker: Pick<InstanceMarker, 'instance'>,
  options: SweepOptions,
): Promise<SweepReport> {
  const stopped = new Map<number, MarkedProcess>();
  const failed = new Map<number, MarkedProcess & { reason: string }>();
  for (let round = 0; round < ROUNDS; round++) {
    const found = (await findMarked(marker)).filter(
      (p) =>
        (options.exceptSupervisor === undefined || p.supervisor !== options.exceptSupervisor) &&
        !failed.has(p.pid),
    );
    if (found.length === 0) break;
    for (const p of found) signal(p, 'SIGTERM');
    const stubborn = await waitGone(found, options.graceMs);
    for (const p of stubborn) {
      const error = signal(p, 'SIGKILL');
      if (error !== undefined) failed.set(p.pid, { ...p, reason: `cannot signal it (${error})` });
    }
    const survivors = await waitGone(
      stubborn.filter((p) => !failed.has(p.pid)),
      options.killWaitMs ?? 2_000,
    );
    for (const p of survivors) failed.set(p.pid, { ...p, reason: 'still running after SIGKILL' });
    for (const p of found) if (!failed.has(p.pid)) stopped.set(p.pid, p);
  }
  return { stopped: [...stopped.values()], survivors: [...failed.values()] };
}
