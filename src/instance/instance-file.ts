/**
 * The local instance's address book: `<dataDir>/instance.json` says where the `up` daemon listens, its pid and
 * the tool it deployed, so that every other command (`deploy`, `status`, `logs`, `down`) finds it.
 */
import { rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { processIsAlive, readLocalInstance, type LocalInstance } from '../cli/local-instance.js';

export function instanceFile(dataDir: string): string {
  return join(dataDir, 'instance.json');
}

export function writeInstanceFile(dataDir: string, instance: { url: string; pid: number; tool: string }): void {
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
