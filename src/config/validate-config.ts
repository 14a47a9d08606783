/**
 * The whole document: dialect detection (a `config-version` key means the seed dialect, anything else is
 * upstream's v1beta1), the top-level fields, every component, then the cross-component checks. Returns the
 * normalised config only when no error was reported.
 */
import { checkReferences } from './cross-checks.js';
import type { DiagnosticSink } from './diagnostic-sink.js';
import { dialectTables } from './field-names.js';
import { readFields, type LoadContext } from './read-fields.js';
import type { SourceEntry, SourceNode } from './source-tree.js';
import type { Component, ConfigDialect, ToolConfig } from './tool-config.js';
import { validateComponent, type ComponentDraft } from './validate-component.js';
import { readString, typeError } from './value-checks.js';

const SEED_VERSION_KEY = 'config-version';

export function detectDialect(root: SourceNode): ConfigDialect {
  return root.kind === 'map' && root.entries.some((e) => e.key === SEED_VERSION_KEY) ? 'seed' : 'v1beta1';
}

export function validateConfig(root: SourceNode, sink: DiagnosticSink): ToolConfig | undefined {
  if (root.kind === 'scalar' && root.value === null) {
    sink.error('', 'the config is empty', root.offset, 'expected a mapping with "components"');
    return undefined;
  }
  if (root.kind !== 'map') return typeError(sink, '', root, 'Input should be a valid dictionary');
  const dialect = detectDialect(root);
  const ctx: LoadContext = { sink, tables: dialectTables(dialect) };
  const fields = readFields(ctx, root, '', ctx.tables.top);
  const versionEntry = fields.get('config_version');
  if (versionEntry) checkVersion(ctx, versionEntry);
  const sourceEntry = fields.get('source_url');
  const sourceUrl = sourceEntry ? readSourceUrl(ctx, sourceEntry) : undefined;
  const drafts = readComponents(ctx, fields.get('components'), root.offset);
  if (drafts.length > 0) checkReferences(drafts, dialect, sink);
  if (sink.hasErrors) return undefined;
  return {
    dialect,
    ...(sourceUrl !== undefined ? { sourceUrl } : {}),
    components: drafts.map((d) => d.component as Component),
  };
}

function checkVersion(ctx: LoadContext, entry: SourceEntry): void {
  const { value } = entry;
  const text = value.kind === 'scalar' ? value.value : undefined;
  if (ctx.tables.dialect === 'seed') {
    if (text === 0.1 || text === '0.1') return;
    typeError(ctx.sink, entry.key, value, 'Input should be 0.1');
  } else if (text !== 'v1beta1' && text !== null) {
    const hint =
      text === 0.1 || text === '0.1' ? 'the seed dialect is spelt "config-version: 0.1"' : undefined;
    ctx.sink.error(entry.key, "Input should be 'v1beta1'", value.offset, hint);
  }
}

/** Upstream's source_url is an http(s) URL; the seed dialect accepts the same as `source-url`. */
function readSourceUrl(ctx: LoadContext, entry: SourceEntry): string | undefined {
  const text = readString(ctx.sink, entry.key, entry.value, 1);
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    ctx.sink.error(entry.key, 'Input should be a valid URL, relative URL without a base', entry.value.offset);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.sink.error(entry.key, "URL scheme should be 'http' or 'https'", entry.value.offset);
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
    sink.error('components', 'Field required', rootOffset);
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
      path,
      'Dictionary should have at least 1 item after validation, not 0',
      map.offset ?? entry.keyOffset,
    );
    return [];
  }
  return map.entries.map((component) => validateComponent(ctx, component, path));
}
