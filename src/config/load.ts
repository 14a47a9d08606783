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
import { findNestingProblem, nestingCode, nestingMessage, shortenPath } from './nesting.js';
import { readQuick } from './parse-quick.js';
import { readYaml } from './read-yaml.js';
import { resolveRepositoryPaths } from './repository-paths.js';
import { sourceFromValue, type SourceNode } from './source-tree.js';
import type { ToolConfig } from '../model/tool-config.js';
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

/**
 * Loads YAML or JSON text (JSON is YAML); diagnostics carry line:column. A config with nothing to report is
 * read once, by js-yaml (parse-quick.ts); only when there is something to report (or js-yaml cannot read the
 * text) is it read again with the `yaml` library, whose document nodes keep the offsets that place each
 * diagnostic. Validation is deterministic, so validating the second tree finds the same problems, now located.
 */
export function loadConfig(text: string, _options: LoadOptions = {}): ConfigLoadResult {
  const quick = loadQuick(text);
  if (quick) return quick;
  const sink = new DiagnosticSink(new LineIndex(text));
  return finish(
    guardDepth(sink, () => readYaml(text, sink)),
    sink,
  );
}

/** The config of a text js-yaml reads and that validates without a single diagnostic, else undefined. */
function loadQuick(text: string): ConfigLoadResult | undefined {
  const read = guardDepth(new DiagnosticSink(), () => readQuick(text)?.tree);
  if (read === undefined) return undefined;
  const sink = new DiagnosticSink();
  const config = validateConfig(read, sink);
  return config && sink.finish().length === 0 ? { config, diagnostics: [] } : undefined;
}

/** Loads an already-parsed JSON value (an API request body); diagnostics have no positions. */
export function loadConfigObject(value: unknown): ConfigLoadResult {
  const sink = new DiagnosticSink();
  const problem = findNestingProblem(value);
  if (problem) {
    sink.error(nestingCode(problem), shortenPath(problem.path), nestingMessage(problem));
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
    throw new UserError('CMP_ERR_CONFIG_UNREADABLE', unreadableFileMessage('config file', path, error), {
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
    sink.error('CMP_ERR_CONFIG_TOO_DEEP', '', 'the config is nested too deeply to be read');
    return undefined;
  }
}

function finish(root: SourceNode | undefined, sink: DiagnosticSink): ConfigLoadResult {
  const config = root !== undefined ? validateConfig(root, sink) : undefined;
  const diagnostics = sink.finish();
  return sink.hasErrors || !config ? { diagnostics } : { config, diagnostics };
}
