/**
 * Sorts the keys of one mapping into known fields, keys spelt in the other dialect (errors) and unknown keys
 * (upstream's `Unknown field <path>, skipped` warnings), in one pass over the entries.
 */
import type { DiagnosticSink } from './diagnostic-sink.js';
import type { DialectTables, FieldTable } from './field-names.js';
import { joinPath } from './path.js';
import type { SourceEntry, SourceMap } from './source-tree.js';
import { suggest } from './suggest.js';

export interface LoadContext {
  readonly sink: DiagnosticSink;
  readonly tables: DialectTables;
  /**
   * Paths of the fields upstream's v1beta1 → v1beta2 upgrade sets or corrects (`component_type`), in document
   * order: a v1beta1 config's deprecation warning names them.
   */
  readonly upgraded: string[];
}

/**
 * Says why a known field does not belong here (e.g. `port` on a scheduled component), or undefined. A string
 * is a warning (the field is skipped, as upstream does); `{ error }` rejects the config (one-off components,
 * which upstream has no rules for, so nothing to stay lenient with).
 */
export type FieldFilter = (field: string) => string | { readonly error: string } | undefined;

export function readFields(
  ctx: LoadContext,
  map: SourceMap,
  path: string,
  table: FieldTable,
  filter?: FieldFilter,
): Map<string, SourceEntry> {
  const fields = new Map<string, SourceEntry>();
  for (const entry of map.entries) {
    const found = table.lookup(entry.key);
    const entryPath = joinPath(path, entry.key);
    if (found.kind === 'other-dialect') {
      ctx.sink.error(
        'CMP_ERR_CONFIG_WRONG_DIALECT',
        entryPath,
        wrongDialectMessage(ctx, entry.key, found.expected),
        entry.keyOffset,
        dialectHint(ctx),
      );
      continue;
    }
    if (found.kind === 'unknown') {
      const close = suggest(entry.key, table.spellings());
      unknownField(ctx, entryPath, entry, close ? `did you mean "${close}"?` : undefined);
      continue;
    }
    const misplaced = filter?.(found.field);
    if (typeof misplaced === 'object')
      ctx.sink.error('CMP_ERR_CONFIG_FIELD_NOT_APPLICABLE', entryPath, misplaced.error, entry.keyOffset);
    else if (misplaced !== undefined) unknownField(ctx, entryPath, entry, misplaced);
    else fields.set(found.field, entry);
  }
  return fields;
}

export function unknownField(ctx: LoadContext, path: string, entry: SourceEntry, hint?: string): void {
  ctx.sink.warning(
    'CMP_WARN_CONFIG_UNKNOWN_FIELD',
    path,
    `Unknown field ${path}, skipped`,
    entry.keyOffset,
    hint,
  );
}

function wrongDialectMessage(ctx: LoadContext, key: string, expected: string): string {
  if (ctx.tables.dialect === 'seed') {
    return `"${key}" is upstream's spelling, but this config uses the seed dialect (config-version): write "${expected}"`;
  }
  return `"${key}" is the seed dialect's spelling, but this config is upstream's (it has no config-version key): write "${expected}"`;
}

function dialectHint(ctx: LoadContext): string | undefined {
  return ctx.tables.dialect !== 'seed'
    ? 'or add "config-version: 0.1" at the top to use the seed dialect'
    : undefined;
}
