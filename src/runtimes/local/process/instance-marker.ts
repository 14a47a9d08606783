/**
 * Every process the local runtime starts (builds, replicas, scheduled runs, health scripts) carries two
 * environment variables, inherited by everything it forks:
 *
 *   TOOLFORGE_COMPONENTS_INSTANCE=<data dir>   which local instance it belongs to (one runtime per data dir)
 *   TOOLFORGE_COMPONENTS_SUPERVISOR=<id>       which runtime object started it (random per LocalRuntime)
 *
 * A process that leaves its process group (`setsid`, a double fork) escapes `kill(-pgid)`, but not its
 * environment: `/proc/<pid>/environ` still names the instance, so `down`, `shutdown()` and a `start()` after a
 * crash find it there. Only the same user's processes are looked at, never this process or its ancestors.
 * Limits (documented in the README): Linux only (/proc); a process that replaced its environment (`env -i`)
 * or made itself unreadable (setuid) is not found.
 */
import { randomBytes } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const INSTANCE_ENV = 'TOOLFORGE_COMPONENTS_INSTANCE';
export const SUPERVISOR_ENV = 'TOOLFORGE_COMPONENTS_SUPERVISOR';

export interface InstanceMarker {
  /** The resolved data dir: the same for `down`, a daemon and a daemon restarted after a crash. */
  readonly instance: string;
  readonly supervisor: string;
}

export function newMarker(dataDir: string): InstanceMarker {
  return { instance: resolve(dataDir), supervisor: randomBytes(8).toString('hex') };
}

export function markerEnv(marker: InstanceMarker): Record<string, string> {
  return { [INSTANCE_ENV]: marker.instance, [SUPERVISOR_ENV]: marker.supervisor };
}

export interface MarkedProcess {
  readonly pid: number;
  /** /proc start time: a pid reused by an unrelated process later is never signalled. */
  readonly startTime: string;
  readonly supervisor: string;
  /** The command line, shortened, for reports. */
  readonly command: string;
}

/** Field 22 of /proc/<pid>/stat, and field 4 (the parent), counted from the closing parenthesis of the name. */
function statFields(text: string): { state: string; ppid: number; startTime: string } {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', ppid: Number(fields[1]), startTime: fields[19] ?? '' };
}

export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    return statFields(await readFile(`/proc/${pid}/stat`, 'utf8')).startTime;
  } catch {
    return undefined;
  }
}

/** This process and its ancestors: a sweep never signals the process that runs it or whoever started it. */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid);) {
    out.add(pid);
    try {
      pid = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8')).ppid;
    } catch {
      break;
    }
  }
  return out;
}

function variable(environ: string, name: string): string | undefined {
  const prefix = `${name}=`;
  for (const entry of environ.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return undefined;
}

async function inspect(
  pid: number,
  marker: Pick<InstanceMarker, 'instance'>,
): Promise<MarkedProcess | undefined> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1');
    if (variable(environ, INSTANCE_ENV) !== marker.instance) return undefined;
    const stat = statFields(await readFile(`/proc/${pid}/stat`, 'utf8'));
    if (stat.state === 'Z') return undefined; // already dead, waiting for its parent
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const command = cmdline.split('\0').filter(Boolean).join(' ');
    return {
      pid,
      startTime: stat.startTime,
      supervisor: variable(environ, SUPERVISOR_ENV) ?? '',
      command: command.length > 80 ? `${command.slice(0, 77)}...` : command,
    };
  } catch {
    return undefined; // gone meanwhile, or not readable (another user's, a setuid program)
  }
}

/** The live processes of this user that carry the instance's marker (none without /proc). */
export async function findMarked(marker: Pick<InstanceMarker, 'instance'>): Promise<MarkedProcess[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const skip = selfAndAncestors();
  const found = await Promise.all(
    entries.map(async (entry) => {
      if (!/^\d+$/.test(entry) || skip.has(Number(entry))) return undefined;
      if (uid !== undefined) {
        const owner = await stat(`/proc/${entry}`).catch(() => undefined);
        if (owner?.uid !== uid) return undefined;
      }
      return inspect(Number(entry), marker);
    }),
  );
  return found.filter((p): p is MarkedProcess => p !== undefined).sort((a, b) => a.pid - b.pid);
}
