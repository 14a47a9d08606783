/**
 * The local instance's address book: `<dataDir>/instance.json` (`{ "url": "...", "pid": n, "tool": "..." }`)
 * says where the `up` daemon listens, its pid and the tool it deployed, so that every other command (`deploy`,
 * `status`, `logs`, `down`) finds it; the CLI targets it when nothing else is configured.
 */
import { readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '../runtimes/local/data-dir.js';

export interface LocalInstance {
  readonly file: string;
  readonly url: string;
  readonly pid?: number;
  readonly tool?: string;
}

export function instanceFile(dataDir: string): string {
  return join(dataDir, 'instance.json');
}

/** The instance file of the default data dir (`TOOLFORGE_COMPONENTS_HOME` in `env`, else under `home`). */
export function localInstanceFile(env: Readonly<Record<string, string | undefined>>, home?: string): string {
  return instanceFile(defaultDataDir(env, home));
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

export function writeInstanceFile(
  dataDir: string,
  instance: { url: string; pid: number; tool: string },
): void {
  const file = instanceFile(dataDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(instance, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Removes the file only if it still describes `pid` (a newer instance may have replaced it). */
export function removeInstanceFile(dataDir: string, pid: number): void {
  const current = readLocalInstance(instanceFile(dataDir));
  if (current?.pid === pid) rmSync(instanceFile(dataDir), { force: true });
}

/** The instance described by the file, if its process is alive. */
export function liveInstance(dataDir: string): LocalInstance | undefined {
  const instance = readLocalInstance(instanceFile(dataDir));
  return instance?.pid !== undefined && processIsAlive(instance.pid) ? instance : undefined;
}
