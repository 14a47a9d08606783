/**
 * The body `deploy FILE` sends: the file's YAML, checked locally first (every problem with its line:column,
 * before any request), then sent as parsed, with local repository paths made absolute against the file's
 * folder, so the server (which runs elsewhere) finds them.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { formatDiagnostic, loadConfigFile } from '../config/load.js';
import { isRepositoryUrl } from '../config/repository.js';

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Same rule as resolveRepositoryPaths, on the raw document (either dialect keeps `build.repository`). */
export function resolveRawRepositoryPaths(document: unknown, baseDir: string): unknown {
  if (!isObj(document) || !isObj(document.components)) return document;
  const components: Obj = {};
  for (const [name, component] of Object.entries(document.components)) {
    const build = isObj(component) ? component.build : undefined;
    const repository = isObj(build) ? build.repository : undefined;
    components[name] =
      isObj(component) &&
      isObj(build) &&
      typeof repository === 'string' &&
      repository !== '' &&
      !isRepositoryUrl(repository)
        ? { ...component, build: { ...build, repository: resolve(baseDir, repository) } }
        : component;
  }
  return { ...document, components };
}

/** The body, or undefined after printing the errors that make the file unusable. */
export async function readDeployBody(file: string, printError: (line: string) => void): Promise<unknown> {
  const loaded = await loadConfigFile(file, { resolvePaths: false });
  for (const diagnostic of loaded.diagnostics) printError(formatDiagnostic(diagnostic, loaded.fileName));
  if (!loaded.config) return undefined;
  return resolveRawRepositoryPaths(parse(readFileSync(file, 'utf8')) as unknown, dirname(resolve(file)));
}
