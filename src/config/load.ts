/**
 * The config loader's public entry points: text (YAML or JSON, with positions), an already-parsed JSON body
 * (the API's), or a file. Every problem comes back as a diagnostic; `config` is present exactly when none of
 * them is an error.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError, unreadableFileMessage } from '../errors.js';
import { DiagnosticSink } from './diagnostic-sink.js';
import type { Diagnostic } from './diagnostics.js';
import { LineIndex } from './line-index.js';
import { findNestingProblem, nestingMessage, shortenPath } from './nesting.js';
import { readYaml } from './read-yaml.js';
import { readJsonFast } from './read-json-fast.js';
import { readYamlFast } from './read-yaml-fast.js';
import { resolveRepositoryPaths } from './repository-paths.js';
import { sourceFromValue, type SourceNode } from './source-tree.js';
import type { ToolConfig } from './tool-config.js';
import { validateConfig } from './validate-config.js';

export { formatDiagnostic } from './format-diagnostic.js';
export { resolveRepositoryPaths } from './repository-paths.js';
export { toSeed, toV1beta2 } from './serialize.js';
export { configJsonSchema } from './json-schema.js';

export interface ConfigLoadResult {
  /** Present iff `diagnostics` holds no error. */
  config?: ToolConfig;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** Only used by callers to label diagnostics; kept here so that call sites read naturally. */
  readonly fileName?: string;
}

/** Loads YAML or JSON text (JSON is YAML); diagnostics carry line:column. */
export function loadConfig(text: string, _options: LoadOptions = {}): ConfigLoadResult {
  const sink = new DiagnosticSink(new LineIndex(text));
  const root = guardDepth(sink, () => {
    // JSON and the common plain-block YAML are read by fast readers; anything else (and every error) by the
    // yaml library.
    const fast = /^\s*\{/.test(text) ? readJsonFast(text) : readYamlFast(text);
    return fast ?? readYaml(text, sink);
  });
  return finish(root, sink);
}

/** Loads an already-parsed JSON value (an API request body); diagnostics have no positions. */
export function loadConfigObject(value: unknown): ConfigLoadResult {
  const sink = new DiagnosticSink();
  const problem = findNestingProblem(value);
  if (problem) {
    sink.error(shortenPath(problem.path), nestingMessage(problem));
    return finish(undefined, sink);
  }
  return finish(
    guardDepth(sink, () => sourceFromValue(value)),
    sink,
  );
}

export interface FileLoadOptions {
  /** Make relative repository paths absolute against the file's folder (default true). */
  readonly resolvePaths?: boolean;
}

/**
 * Reads and loads a config file. An unreadable file is a UserError (exit code 2, like upstream's CLI for an
 * unreadable CONFIG argument), not a diagnostic.
 */
export async function loadConfigFile(
  path: string,
  options: FileLoadOptions = {},
): Promise<ConfigLoadResult & { fileName: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError('config-unreadable', unreadableFileMessage('config file', path, error), {
      exitCode: 2,
      cause: error,
    });
  }
  const result = loadConfig(text, { fileName: path });
  if (result.config && options.resolvePaths !== false) {
    result.config = resolveRepositoryPaths(result.config, dirname(path));
  }
  return { ...result, fileName: path };
}

/**
 * The readers bound their own depth (MAX_CONFIG_DEPTH); this is the last line of defence should a recursive
 * library call still exhaust the stack: a config error, never a crash.
 */
function guardDepth(sink: DiagnosticSink, read: () => SourceNode | undefined): SourceNode | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    sink.error('', 'the config is nested too deeply to be read');
    return undefined;
  }
}

function finish(root: SourceNode | undefined, sink: DiagnosticSink): ConfigLoadResult {
  const config = root !== undefined ? validateConfig(root, sink) : undefined;
  const diagnostics = sink.finish();
  return sink.hasErrors || !config ? { diagnostics } : { config, diagnostics };
}
