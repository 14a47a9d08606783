/**
 * The two spellings of every config field. Canonical names are upstream's snake_case (v1beta1/v1beta2); the seed
 * dialect spells them in kebab-case, except `component_type`, which the seed calls `type`. A key written in
 * the other dialect's spelling is an error naming the expected spelling (a silently skipped `reuse_from` in a
 * seed file would change what gets deployed).
 */
import type { ConfigDialect } from '../model/tool-config.js';

export const TOP_FIELDS = ['config_version', 'source_url', 'defaults', 'components'] as const;
export const DEFAULTS_FIELDS = ['alerts'] as const;
export const ALERTS_FIELDS = ['notify'] as const;
export const COMPONENT_FIELDS = ['description', 'component_type', 'build', 'run', 'wait_for'] as const;
export const BUILD_FIELDS = [
  'repository',
  'ref',
  'use_latest_versions',
  'use_deprecated_versions',
  'envvars',
  'reuse_from',
] as const;
export const COMMON_RUN_FIELDS = [
  'command',
  'cpu',
  'memory',
  'emails',
  'filelog',
  'filelog_stdout',
  'filelog_stderr',
  'mount',
] as const;
export const CONTINUOUS_RUN_FIELDS = [
  'port',
  'port_protocol',
  'publish',
  'replicas',
  'health_check_script',
  'health_check_http',
] as const;
export const SCHEDULED_RUN_FIELDS = ['schedule', 'retry', 'timeout'] as const;
export const RUN_FIELDS = [...COMMON_RUN_FIELDS, ...CONTINUOUS_RUN_FIELDS, ...SCHEDULED_RUN_FIELDS] as const;

export type RunField = (typeof RUN_FIELDS)[number];

/** How `field` (canonical snake_case) is written in `dialect`. */
export function spell(field: string, dialect: ConfigDialect): string {
  if (dialect !== 'seed') return field;
  return field === 'component_type' ? 'type' : field.replaceAll('_', '-');
}

export type KeyLookup =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'other-dialect'; readonly field: string; readonly expected: string }
  | { readonly kind: 'unknown' };

/** Resolves the keys of one kind of mapping (top level, component, build, run) in one dialect. */
export class FieldTable {
  private readonly own = new Map<string, string>();
  private readonly other = new Map<string, string>();

  constructor(fields: readonly string[], dialect: ConfigDialect) {
    const otherDialect: ConfigDialect = dialect === 'seed' ? 'v1beta2' : 'seed';
    for (const field of fields) this.own.set(spell(field, dialect), field);
    for (const field of fields) {
      const spelling = spell(field, otherDialect);
      if (!this.own.has(spelling)) this.other.set(spelling, field);
    }
  }

  lookup(key: string): KeyLookup {
    const field = this.own.get(key);
    if (field !== undefined) return { kind: 'field', field };
    const misspelt = this.other.get(key);
    if (misspelt !== undefined)
      return { kind: 'other-dialect', field: misspelt, expected: this.spellingOf(misspelt) };
    return { kind: 'unknown' };
  }

  /** Known spellings, for did-you-mean hints on unknown keys. */
  spellings(): string[] {
    return [...this.own.keys()];
  }

  private spellingOf(field: string): string {
    for (const [spelling, canonical] of this.own) if (canonical === field) return spelling;
    return field;
  }
}

export interface DialectTables {
  readonly dialect: ConfigDialect;
  readonly top: FieldTable;
  readonly defaults: FieldTable;
  readonly alerts: FieldTable;
  readonly component: FieldTable;
  readonly build: FieldTable;
  readonly run: FieldTable;
}

const cache = new Map<ConfigDialect, DialectTables>();

export function dialectTables(dialect: ConfigDialect): DialectTables {
  let tables = cache.get(dialect);
  if (!tables) {
    tables = {
      dialect,
      top: new FieldTable(TOP_FIELDS, dialect),
      defaults: new FieldTable(DEFAULTS_FIELDS, dialect),
      alerts: new FieldTable(ALERTS_FIELDS, dialect),
      component: new FieldTable(COMPONENT_FIELDS, dialect),
      build: new FieldTable(BUILD_FIELDS, dialect),
      run: new FieldTable(RUN_FIELDS, dialect),
    };
    cache.set(dialect, tables);
  }
  return tables;
}
