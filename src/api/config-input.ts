/**
 * A config as a client sends it (JSON or YAML text, either dialect) → the normalised ToolConfig, or one 422
 * listing every problem. Limits are checked before the loader runs, so an oversized document is refused
 * cheaply and with a clear message instead of exhausting the server.
 */
import { parse as parseYaml } from 'yaml';
import type { ToolConfig } from '../model/tool-config.js';
import type { Diagnostic } from '../config/diagnostics.js';
import { loadConfig, readQuick } from './domain.js';
import { findNestingProblem, nestingMessage, shortenPath } from '../config/nesting.js';
import { flowDepthBeyond, MAX_FLOW_DEPTH } from '../config/read-yaml.js';
import { upgradeDocument } from '../config/upgrade.js';
import { ApiError, apiError, validationError } from './api-errors.js';
import { receivedSuffix, valueAtPath } from './received-value.js';

export interface InputLimits {
  /** Most components one config may have. */
  readonly maxComponents: number;
  /** Longest string value (commands, URLs, …) in characters. */
  readonly maxStringLength: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxComponents: 500, maxStringLength: 10_000 };

export interface LoadedConfig {
  /**
   * The document as sent, minus unknown fields, upgraded to v1beta2 with URLs normalised as upstream stores
   * it (what POST answers, GET /config returns and deployments snapshot).
   */
  readonly raw: unknown;
  readonly config: ToolConfig;
  /** `Unknown field …, skipped` and other loader warnings, in document order. */
  readonly warnings: string[];
}

/** `components.a.run[0]` → `components -> a -> run -> 0` (upstream's location form). */
export function toUpstreamLoc(path: string): string {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((part) => part !== '')
    .join(' -> ');
}

/**
 * A 422 for a document nested too deeply (or containing itself through a YAML alias), refused before any
 * recursive code (ours or a library's) walks it: such a body must never become a stack overflow and a 500.
 */
export function checkNesting(value: unknown): void {
  const problem = findNestingProblem(value);
  if (problem) {
    throw validationError([
      { loc: toUpstreamLoc(shortenPath(problem.path)), message: nestingMessage(problem) },
    ]);
  }
}

/**
 * Parses JSON text the way upstream reports failures: `Invalid JSON at position <n>: <message>`. Every JSON
 * body goes through here, so the nesting check here protects every route.
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const match = /at position (\d+)/.exec(message);
    const position = match?.[1] ?? String(firstBadPosition(text));
    const detail = message
      .replace(/\s*in JSON at position \d+.*$/s, '')
      .replace(/\s*\(line \d+ column \d+\)$/, '');
    throw apiError('CMP_ERR_INVALID_JSON', position, detail);
  }
  checkNesting(value);
  return value;
}

/** Where parsing stopped when the engine's message has no position (e.g. unexpected end of input). */
function firstBadPosition(text: string): number {
  return text.length;
}

/**
 * A `messages.warning` entry: the message after its path, unless it names the path itself (as upstream's
 * `Unknown field <path>, skipped` does).
 */
function formatWarning(d: Diagnostic): string {
  return d.path && !d.message.includes(d.path) ? `${d.path}: ${d.message}` : d.message;
}

/** `<msg>. Received value: '<input>' (line L, column C)`: upstream's entry plus where the problem is. */
function formatError(d: Diagnostic, raw: unknown): { loc: string; message: string } {
  const where = d.line !== undefined ? ` (line ${d.line}, column ${d.column ?? 1})` : '';
  const input = receivedInput(raw, d);
  const received = input === undefined ? '' : receivedSuffix(input.value);
  return { loc: toUpstreamLoc(d.path), message: `${d.message}${received}${where}` };
}

/** The value a diagnostic is about, as pydantic reports it: a missing field reports the object it is missing from. */
function receivedInput(raw: unknown, d: Diagnostic): { readonly value: unknown } | undefined {
  if (raw === undefined) return undefined;
  if (d.code !== 'CMP_ERR_CONFIG_FIELD_REQUIRED') return valueAtPath(raw, d.path);
  if (d.path === '') return undefined;
  const parent = valueAtPath(raw, d.path.replace(/(\[\d+\]|\.?[^.[]*)$/, ''));
  return parent !== undefined && parent.value !== null && typeof parent.value === 'object'
    ? parent
    : undefined;
}

function checkLimits(value: unknown, limits: InputLimits): void {
  const components = (value as { components?: unknown } | null)?.components;
  if (components && typeof components === 'object') {
    const count = Object.keys(components).length;
    if (count > limits.maxComponents) {
      throw validationError([
        {
          loc: 'components',
          message: `The config has ${count} components, the limit is ${limits.maxComponents}`,
        },
      ]);
    }
  }
  const long: Array<{ loc: string; message: string }> = [];
  walkStrings(value, [], (path, text) => {
    if (text.length > limits.maxStringLength && long.length < 20) {
      long.push({
        loc: path.join(' -> '),
        message: `String should have at most ${limits.maxStringLength} characters`,
      });
    }
  });
  if (long.length > 0) throw validationError(long);
}

/** Recursive, but only ever given a value `checkNesting` accepted. */
function walkStrings(value: unknown, path: string[], visit: (path: string[], text: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, String(i)], visit));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key.length > 1000) visit(path, key);
      walkStrings(v, [...path, key], visit);
    }
  }
}

function isUnknownField(d: Diagnostic): boolean {
  return d.code === 'CMP_WARN_CONFIG_UNKNOWN_FIELD' && d.path !== '';
}

/** Removes the fields the loader reported as unknown, so the stored document holds only what was used. */
function stripUnknown(raw: unknown, diagnostics: readonly Diagnostic[]): unknown {
  if (!diagnostics.some(isUnknownField)) return raw;
  const copy = structuredClone(raw);
  for (const d of diagnostics) {
    if (!isUnknownField(d)) continue;
    const parts = d.path.replace(/\[(\d+)\]/g, '.$1').split('.');
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[part];
    if (node && typeof node === 'object') delete (node as Record<string, unknown>)[parts[parts.length - 1]!];
  }
  return copy;
}

/** The `yaml` library's default, stated: how far aliases may expand (an alias bomb is refused, not expanded). */
const MAX_ALIAS_COUNT = 100;

/**
 * YAML text → its value. Configs go through js-yaml, as in the config loader (the `yaml` library took most of
 * a plan request's time); what js-yaml cannot read or the loader reads otherwise (aliases to collections,
 * merge keys, …: see parse-quick.ts), and every syntax error, through `yaml`.
 */
export function parseYamlText(text: string): unknown {
  const quick = readQuick(text);
  if (quick) return quick.value;
  // Deep flow nesting can take the library's recursion past what it survives; the loader reports it.
  if (flowDepthBeyond(text, MAX_FLOW_DEPTH) !== -1) return undefined;
  try {
    return parseYaml(text, { maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (error) {
    // Refused rather than stored as nothing: the loader itself reads aliases without expanding them, so it
    // would accept the config, and GET /config would then answer null.
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw validationError([
        {
          loc: '',
          message: `The config expands YAML aliases into more than ${MAX_ALIAS_COUNT} nodes; write the repeated parts out`,
        },
      ]);
    }
    return undefined; // the loader reports YAML syntax errors with their line and column
  }
}

function isJsonText(text: string, contentType: string | undefined): boolean {
  return contentType?.includes('json') === true || /^\s*[[{]/.test(text);
}

/**
 * Loads a config from request text. `extract` may take fields out of the parsed document first (e.g. a
 * `plan_id` sent along with the config) — they are then not reported as unknown.
 */
export function loadConfigText(
  text: string,
  contentType: string | undefined,
  limits: InputLimits,
  extract?: (document: Record<string, unknown>) => void,
): LoadedConfig {
  if (text.trim() === '') throw validationError([{ loc: '', message: 'Field required' }]);
  let raw: unknown;
  if (isJsonText(text, contentType)) raw = parseJsonBody(text);
  else raw = parseYamlText(text);
  checkNesting(raw);
  if (raw !== undefined) checkLimits(raw, limits);
  let source = text;
  if (extract && raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const document = raw as Record<string, unknown>;
    const before = Object.keys(document).length;
    extract(document);
    if (Object.keys(document).length !== before) source = JSON.stringify(document);
  }
  const { config, diagnostics } = loadConfig(source, { fileName: 'request body' });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !config) {
    throw errors.length > 0
      ? validationError(errors.map((d) => formatError(d, raw)))
      : validationError([{ loc: '', message: 'Field required' }]);
  }
  return {
    raw: upgradeDocument(stripUnknown(raw ?? null, diagnostics)),
    config,
    warnings: diagnostics.filter((d) => d.severity === 'warning').map(formatWarning),
  };
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
