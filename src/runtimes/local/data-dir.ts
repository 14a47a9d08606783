/**
 * Where the local runtime keeps its images, state and logs. One place for everyone (the `up` daemon, the
 * server, the `logs` command) so that they all look at the same directory.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** `${TOOLFORGE_COMPONENTS_HOME:-~/.local/share/toolforge-components}`; `home` is overridable for tests. */
export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  const configured = env.TOOLFORGE_COMPONENTS_HOME;
  if (configured !== undefined && configured !== '') return resolve(configured);
  return join(home, '.local', 'share', 'toolforge-components');
}
