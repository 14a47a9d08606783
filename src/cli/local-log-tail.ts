/**
 * The last lines of a component's log, when the server is the local instance of this machine (its log files are
 * right here): shown under a failure whose reason does not already carry them (a health wait that timed out),
 * so the cause is on screen without another command.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { liveInstance } from '../instance/instance-file.js';
import { defaultDataDir } from '../runtimes/local/data-dir.js';
import { LocalPaths } from '../runtimes/local/state/local-paths.js';
import { apiRootFromUrl, type ApiTarget } from './target.js';

/** The data dir whose service `target` talks to, when that service is the local instance. */
export function localDataDirOf(target: ApiTarget): string | undefined {
  const dataDir = defaultDataDir();
  const instance = liveInstance(dataDir);
  if (!instance) return undefined;
  return apiRootFromUrl(instance.url) === target.apiRoot ? dataDir : undefined;
}

/** Up to `count` last lines of the job log of `component`, or [] when there is none. */
export async function lastLogLines(
  dataDir: string,
  tool: string,
  component: string,
  count: number,
): Promise<string[]> {
  const path = new LocalPaths(dataDir).jobLog(tool, component);
  if (!existsSync(path)) return [];
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .slice(-count);
}
