/**
 * The local instance started by `toolforge-components up` records where it listens in
 * `${TOOLFORGE_COMPONENTS_HOME:-~/.local/share/toolforge-components}/instance.json` as
 * `{ "url": "...", "pid": n, "tool": "..." }`; the CLI targets it when nothing else is configured.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface LocalInstance {
  readonly file: string;
  readonly url: string;
  readonly pid?: number;
  readonly tool?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function componentsHome(env: Env, home: string = homedir()): string {
  return env.TOOLFORGE_COMPONENTS_HOME || join(home, '.local', 'share', 'toolforge-components');
}

export function localInstanceFile(env: Env, home?: string): string {
  return join(componentsHome(env, home), 'instance.json');
}

/** undefined when there is no (readable, well-formed) instance file. */
export function readLocalInstance(file: string): LocalInstance | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const { url, pid, tool } = raw as Record<string, unknown>;
  if (typeof url !== 'string' || url === '') return undefined;
  return {
    file,
    url,
    ...(typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? { pid } : {}),
    ...(typeof tool === 'string' && tool !== '' ? { tool } : {}),
  };
}

/** Signal 0 probes for the process without touching it; EPERM still means it exists. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
