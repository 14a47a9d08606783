/**
 * Where the local runtime keeps its images, state and logs. One place for everyone (the `up` daemon, the
 * server, the `logs` command) so that they all look at the same directory.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** `${TOOLFORGE_COMPONENTS_HOME:-~/.local/share/toolforge-components}` */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.TOOLFORGE_COMPONENTS_HOME;
  if (home !== undefined && home !== '') return resolve(home);
  return join(homedir(), '.local', 'share', 'toolforge-components');
}
