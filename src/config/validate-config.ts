/**
 * The whole document: dialect detection (a `config-version` key means the seed dialect, anything else is
 * upstream's, read as v1beta2: a v1beta1 config is upgraded the way upstream upgrades it, with a deprecation
 * warning naming what changed), the top-level fields, every component, then the cross-component checks.
 * Returns the normalised config only when no error was reported.
 */
import { checkReferences } from './cross-checks.js';
import type { DiagnosticSink } from './diagnostic-sink.js';
import { dialectTables } from './field-names.js';
import { joinPath } from './path.js';
import { readFields, type LoadContext } from './read-fields.js';
import type { SourceEntry, SourceNode } from './source-tree.js';
import {
  CURRENT_UPSTREAM_VERSION,
  type Component,
  type ConfigDialect,
  type ToolConfig,
  type ToolDefaults,
} from '../model/tool-config.js';
import { validateComponent, type ComponentDraft } from './validate-component.js';
import { readBoolean, readMap, readString, typeError, valueError } from './value-checks.js';

const SEED_VERSION_KEY = 'config-version';
const UPSTREAM_VERSIONS = ['v1beta1', 'v1beta2'];

export function detectDialect(root: SourceNode): ConfigDialect {
  return root.kind === 'map' && root.entries.some((e) => e.key === SEED_VERSION_KEY)
    ? 'seed'
    : CURRENT_UPSTREAM_VERSION;
}

export function validateConfig(root: SourceNode, sink: DiagnosticSink): ToolConfig | undefined {
  if (root.kind === 'scalar' && root.value === null) {
    sink.error(
      'CMP_ERR_CONFIG_EMPTY',
      '',
      'the config is empty',
      root.offset,
      'expected a mapping with "components"',
    );
    return undefined;
  }
  if (root.kind !== 'map') return typeError(sink, '', root, 'Input should be a valid dictionary');
  const dialect = detectDialect(root);
  const ctx: LoadContext = { sink, tables: dialectTables(dialect), upgraded: [] };
  const fields = readFields(ctx, root, '', ctx.tables.top);
  const versionEntry = fields.get('config_version');
  const version = versionEntry ? checkVersion(ctx, versionEntry) : undefined;
  const sourceEntry = fields.get('source_url');
  const sourceUrl = sourceEntry ? readSourceUrl(ctx, sourceEntry) : undefined;
  const defaultsEntry = fields.get('defaults');
  const defaults = defaultsEntry ? readDefaults(ctx, defaultsEntry) : undefined;
  const drafts = readComponents(ctx, fields.get('components'), root.offset);
  if (drafts.length > 0) checkReferences(drafts, dialect, sink);
  if (version === 'v1beta1' && versionEntry) warnDeprecated(ctx, versionEntry);
  if (sink.hasErrors) return undefined;
  return {
    dialect,
    ...(sourceUrl !== undefined ? { sourceUrl } : {}),
    ...(defaults !== undefined ? { defaults } : {}),
    components: drafts.map((d) => d.component as Component),
  };
}

/** The version the config says it is written in (undefined when unusable or null, i.e. the current one). */
function checkVersion(ctx: LoadContext, entry: SourceEntry): string | undefined {
  const { value } = entry;
  const text = value.kind === 'scalar' ? value.value : undefined;
  if (ctx.tables.dialect === 'seed') {
    if (text === 0.1 || text === '0.1') return '0.1';
    return valueError(ctx.sink, entry.key, value, 'Input should be 0.1');
  }
  if (typeof text === 'string' && UPSTREAM_VERSIONS.includes(text)) return text;
  if (text === null) return undefined;
  const hint = text === 0.1 || text === '0.1' ? 'the seed dialect is spelt "config-version: 0.1"' : undefined;
  ctx.sink.error(
    'CMP_ERR_CONFIG_INVALID_VALUE',
    entry.key,
    "Input should be 'v1beta1' or 'v1beta2'",
    value.offset,
    hint,
  );
  return undefined;
}

/** Upstream answers a v1beta1 config with the upgraded one; this says so, and which fields changed. */
function warnDeprecated(ctx: LoadContext, entry: SourceEntry): void {
  const changed = [entry.key, ...ctx.upgraded];
  ctx.sink.warning(
    'CMP_WARN_CONFIG_DEPRECATED_VERSION',
    entry.key,
    `config_version v1beta1 is deprecated and will stop being accepted: the config was upgraded to ${CURRENT_UPSTREAM_VERSION} (changed: ${changed.join(', ')})`,
    entry.value.offset,
    `write "config_version: ${CURRENT_UPSTREAM_VERSION}"`,
  );
}

/** `defaults.alerts.notify` (upstream v1beta2; `defaults.alerts.notify` in the seed dialect too). */
function readDefaults(ctx: LoadContext, entry: SourceEntry): ToolDefaults | undefined {
  const map = readMap(ctx.sink, entry.key, entry.value);
  if (!map) return undefined;
  const fields = readFields(ctx, map, entry.key, ctx.tables.defaults);
  const alertsEntry = fields.get('alerts');
  if (!alertsEntry) return { alerts: { notify: false } };
  const alertsPath = joinPath(entry.key, alertsEntry.key);
  const alerts = readMap(ctx.sink, alertsPath, alertsEntry.value);
  if (!alerts) return undefined;
  const notifyEntry = readFields(ctx, alerts, alertsPath, ctx.tables.alerts).get('notify');
  if (!notifyEntry) return { alerts: { notify: false } };
  const notify = readBoolean(ctx.sink, joinPath(alertsPath, notifyEntry.key), notifyEntry.value);
  return notify === undefined ? undefined : { alerts: { notify } };
}

/** Upstream's source_url is an http(s) URL; the seed dialect accepts the same as `source-url`. */
function readSourceUrl(ctx: LoadContext, entry: SourceEntry): string | undefined {
  const text = readString(ctx.sink, entry.key, entry.value, 1);
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    ctx.sink.error(
      'CMP_ERR_CONFIG_INVALID_VALUE',
      entry.key,
      'Input should be a valid URL, relative URL without a base',
      entry.value.offset,
    );
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.sink.error(
      'CMP_ERR_CONFIG_INVALID_VALUE',
      entry.key,
      "URL scheme should be 'http' or 'https'",
      entry.value.offset,
    );
    return undefined;
  }
  return url.href;
}

function readComponents(
  ctx: LoadContext,
  entry: SourceEntry | undefined,
  rootOffset?: number,
): ComponentDraft[] {
  const { sink } = ctx;
  if (!entry) {
    sink.error('CMP_ERR_CONFIG_FIELD_REQUIRED', 'components', 'Field required', rootOffset);
    return [];
  }
  const path = entry.key;
  const map = entry.value;
  if (map.kind !== 'map') {
    typeError(sink, path, map, 'Input should be a valid dictionary');
    return [];
  }
  if (map.entries.length === 0) {
    sink.error(
      'CMP_ERR_CONFIG_INVALID_VALUE',
      path,
      'Dictionary should have at least 1 item after validation, not 0',
      map.offset ?? entry.keyOffset,
    );
    return [];
  }
  return map.entries.map((component) => validateComponent(ctx, component, path));
}
