/**
 * The process groups this runtime has alive, persisted so that a runtime started after one that died uncleanly
 * (SIGKILL, power cut) can stop what the dead one left behind instead of fighting it for ports.
 *
 * A pid alone could have been reused by an unrelated process since; each entry also keeps the process start
 * time from /proc (Linux), and a leftover is killed only when both still match. Without /proc nothing is killed.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJsonFile, writeJsonAtomic } from '../state/json-file.js';

interface PidEntry {
  readonly pid: number;
  readonly startTime: string;
}

function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may contain spaces, so count from the closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (a killed process whose parent died stays a zombie until init reaps it). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export class PidRegistry {
  private readonly entries = new Map<number, PidEntry>();

  constructor(private readonly file: string) {}

  add(pid: number): void {
    const startTime = processStartTime(pid);
    if (startTime === undefined) return;
    this.entries.set(pid, { pid, startTime });
    this.save();
  }

  remove(pid: number): void {
    if (this.entries.delete(pid)) this.save();
  }

  /**
   * Kill (SIGKILL) every group a previous runtime recorded that is still the same process, and wait (up to
   * `waitMs`) until they are gone, so that their ports are free before the jobs start again. Returns their pids.
   */
  async killLeftovers(waitMs = 3_000): Promise<number[]> {
    const previous = readJsonFile<PidEntry[]>(this.file, []);
    const killed: number[] = [];
    for (const entry of previous) {
      if (this.entries.has(entry.pid) || processStartTime(entry.pid) !== entry.startTime) continue;
      try {
        process.kill(-entry.pid, 'SIGKILL');
        killed.push(entry.pid);
      } catch {
        // already gone
      }
    }
    this.save();
    const deadline = Date.now() + waitMs;
    while (killed.some(isRunning) && Date.now() < deadline) await sleep(20);
    return killed;
  }

  private save(): void {
    writeJsonAtomic(this.file, [...this.entries.values()]);
  }
}
