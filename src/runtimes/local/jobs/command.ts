/**
 * Command resolution as Toolforge's launcher does it: if the command's first word names a Procfile process
 * type, that entry runs (with the remaining words appended); otherwise the command runs as a shell command in
 * the image directory. No command means the `web` process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeError } from '../../runtime.js';

export function parseProcfile(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z0-9_-]+)\s*:\s*(.+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) types.set(match[1], match[2].trim());
  }
  return types;
}

export function readProcfile(imageDir: string): Map<string, string> {
  const path = join(imageDir, 'Procfile');
  return existsSync(path) ? parseProcfile(readFileSync(path, 'utf8')) : new Map();
}

/** The shell command to run for `command` in an image with these Procfile process types. */
export function resolveCommand(command: string, processTypes: ReadonlyMap<string, string>): string {
  const wanted = command.trim() === '' ? 'web' : command.trim();
  const space = wanted.search(/\s/);
  const first = space === -1 ? wanted : wanted.slice(0, space);
  const entry = processTypes.get(first);
  if (entry !== undefined) return space === -1 ? entry : `${entry} ${wanted.slice(space + 1).trim()}`;
  if (command.trim() === '') {
    throw new RuntimeError('rejected', 'no command given and the image has no `web` process in its Procfile');
  }
  return wanted;
}
