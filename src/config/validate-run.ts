/**
 * The `run` block of one component: field types and ranges, the fields each component type takes, and
 * upstream's cross-field rules (health-check XOR, health_check_http needs tcp, publish needs a tcp port).
 * Unlike upstream, which stops at the first failing cross-field rule, every broken rule is reported.
 */
import { checkSchedule } from './check-schedule.js';
import { CONTINUOUS_RUN_FIELDS, SCHEDULED_RUN_FIELDS, spell } from './field-names.js';
import { joinPath } from './path.js';
import { readFields, type LoadContext } from './read-fields.js';
import type { SourceEntry, SourceNode } from './source-tree.js';
import {
  EMAIL_MODES,
  MOUNT_MODES,
  PORT_PROTOCOLS,
  type CommonRun,
  type ComponentType,
  type ContinuousRun,
  type HealthCheck,
  type OneOffRun,
  type ScheduledRun,
} from '../model/tool-config.js';
import { readBoolean, readEnum, readInteger, readMap, readString } from './value-checks.js';

export interface RunInput {
  /** The `run` value, or undefined when the component has none. */
  readonly node: SourceNode | undefined;
  readonly path: string;
  readonly type: ComponentType;
  /** Whether the type was written (seed `type`) rather than inferred from the run's `schedule`. */
  readonly typeExplicit: boolean;
  /** Where to report a missing `run`. */
  readonly componentOffset?: number;
}

type Fields = Map<string, SourceEntry>;
type Writable<T> = { -readonly [K in keyof T]: T[K] };

export function validateRun(
  ctx: LoadContext,
  input: RunInput,
): ContinuousRun | ScheduledRun | OneOffRun | undefined {
  const { sink, tables } = ctx;
  const required = input.type !== 'continuous' || tables.dialect !== 'seed';
  if (input.node === undefined || (input.node.kind === 'scalar' && input.node.value === null && !required)) {
    if (!required) return {};
    sink.error('CMP_ERR_CONFIG_FIELD_REQUIRED', input.path, 'Field required', input.componentOffset);
    return undefined;
  }
  const map = readMap(sink, input.path, input.node);
  if (!map) return undefined;
  const fields = readFields(ctx, map, input.path, tables.run, (field) => misplacedHint(ctx, input, field));
  const errorsBefore = sink.errorCount;
  const common = readCommon(ctx, fields, input.path);
  const specific =
    input.type === 'continuous'
      ? readContinuous(ctx, fields, input.path)
      : readScheduled(ctx, fields, input.path);
  const missing = requiredFields(ctx, input).filter((field) => !fields.has(field));
  for (const field of missing)
    sink.error(
      'CMP_ERR_CONFIG_FIELD_REQUIRED',
      joinPath(input.path, spell(field, tables.dialect)),
      'Field required',
      map.offset,
    );
  if (sink.errorCount !== errorsBefore) return undefined;
  return { ...common, ...specific } as ContinuousRun | ScheduledRun | OneOffRun;
}

function requiredFields(ctx: LoadContext, input: RunInput): string[] {
  if (input.type === 'scheduled') return ['command', 'schedule'];
  if (input.type === 'one-off') return ['command'];
  return ctx.tables.dialect !== 'seed' ? ['command'] : [];
}

/** The fields a one-off job has no use for: a one-off runs once (no schedule), serves nothing and has no health. */
const NOT_ONE_OFF: readonly string[] = [...CONTINUOUS_RUN_FIELDS, 'schedule'];

function misplacedHint(
  ctx: LoadContext,
  input: RunInput,
  field: string,
): string | { readonly error: string } | undefined {
  if (input.type === 'one-off') {
    if (!NOT_ONE_OFF.includes(field)) return undefined;
    const why = field === 'schedule' ? 'it runs once per change, not on a schedule' : 'it runs to completion';
    return { error: `${spell(field, ctx.tables.dialect)} does not apply to a one-off component: ${why}` };
  }
  const otherType = input.type === 'scheduled' ? CONTINUOUS_RUN_FIELDS : SCHEDULED_RUN_FIELDS;
  if (!(otherType as readonly string[]).includes(field)) return undefined;
  const name = spell(field, ctx.tables.dialect);
  if (input.type === 'continuous' && !input.typeExplicit) {
    return `${name} is for scheduled components, and this one is continuous because its run has no schedule`;
  }
  return `${name} only applies to ${input.type === 'scheduled' ? 'continuous' : 'scheduled'} components`;
}

/** Runs `read` on the field's value when the field is present; its result (undefined on error) is kept. */
function field<T>(
  fields: Fields,
  path: string,
  name: string,
  read: (path: string, node: SourceNode) => T | undefined,
): T | undefined {
  const entry = fields.get(name);
  return entry === undefined ? undefined : read(joinPath(path, entry.key), entry.value);
}

function readCommon(ctx: LoadContext, fields: Fields, path: string): CommonRun {
  const { sink } = ctx;
  const out: Writable<CommonRun> = {};
  const str = (p: string, n: SourceNode) => readString(sink, p, n);
  set(out, 'command', field(fields, path, 'command', str));
  set(
    out,
    'cpu',
    field(fields, path, 'cpu', (p, n) => readCpu(ctx, p, n)),
  );
  set(out, 'memory', field(fields, path, 'memory', str));
  set(
    out,
    'emails',
    field(fields, path, 'emails', (p, n) => readEnum(sink, p, n, EMAIL_MODES)),
  );
  set(
    out,
    'filelog',
    field(fields, path, 'filelog', (p, n) => readBoolean(sink, p, n)),
  );
  set(out, 'filelogStdout', field(fields, path, 'filelog_stdout', str));
  set(out, 'filelogStderr', field(fields, path, 'filelog_stderr', str));
  set(
    out,
    'mount',
    field(fields, path, 'mount', (p, n) => readEnum(sink, p, n, MOUNT_MODES)),
  );
  return out;
}

/** `cpu: 0.5` is a number in YAML; the seed dialect takes it as the string jobs-api wants. */
function readCpu(ctx: LoadContext, path: string, node: SourceNode): string | undefined {
  if (ctx.tables.dialect === 'seed' && node.kind === 'scalar' && typeof node.value === 'number') {
    return String(node.value);
  }
  return readString(ctx.sink, path, node);
}

function readContinuous(
  ctx: LoadContext,
  fields: Fields,
  path: string,
): Omit<ContinuousRun, keyof CommonRun> {
  const { sink } = ctx;
  const out: Writable<Omit<ContinuousRun, keyof CommonRun>> = {};
  const port = field(fields, path, 'port', (p, n) => readInteger(sink, p, n, { min: 1, max: 65535 }));
  const protocol = field(fields, path, 'port_protocol', (p, n) => readEnum(sink, p, n, PORT_PROTOCOLS));
  const publish = field(fields, path, 'publish', (p, n) => readPublish(ctx, p, n));
  set(out, 'port', port);
  set(out, 'portProtocol', protocol);
  set(out, 'publish', publish);
  set(
    out,
    'replicas',
    field(fields, path, 'replicas', (p, n) => readInteger(sink, p, n, { min: 1 })),
  );
  const script = field(fields, path, 'health_check_script', (p, n) => readString(sink, p, n));
  const http = field(fields, path, 'health_check_http', (p, n) => readString(sink, p, n));
  const healthCheck: HealthCheck | undefined =
    http !== undefined
      ? { type: 'http', path: http }
      : script !== undefined
        ? { type: 'script', script }
        : undefined;
  set(out, 'healthCheck', healthCheck);
  checkContinuousRules(ctx, fields, path, { protocol });
  return out;
}

function readPublish(ctx: LoadContext, path: string, node: SourceNode): string | undefined {
  const value = readString(ctx.sink, path, node);
  if (value === undefined) return undefined;
  if (value !== '/') {
    ctx.sink.error(
      'CMP_ERR_CONFIG_INVALID_VALUE',
      path,
      "String should match pattern '^/$'",
      node.offset,
      'only the root path "/" is supported',
    );
    return undefined;
  }
  return value;
}

/** Upstream's model validators, with field names spelt in the config's dialect. */
function checkContinuousRules(
  ctx: LoadContext,
  fields: Fields,
  path: string,
  values: { readonly protocol: string | undefined },
): void {
  const { sink, tables } = ctx;
  const name = (f: string) => spell(f, tables.dialect);
  const at = (f: string) => {
    const entry = fields.get(f);
    return { path: joinPath(path, entry?.key ?? name(f)), offset: entry?.keyOffset };
  };
  const udp = values.protocol === 'udp';
  if (fields.has('health_check_script') && fields.has('health_check_http')) {
    const { path: p, offset } = at('health_check_http');
    sink.error(
      'CMP_ERR_CONFIG_FIELD_CONFLICT',
      p,
      `Cannot specify both ${name('health_check_script')} and ${name('health_check_http')}`,
      offset,
    );
  }
  if (fields.has('health_check_http') && udp) {
    const { path: p, offset } = at('health_check_http');
    sink.error(
      'CMP_ERR_CONFIG_FIELD_CONFLICT',
      p,
      `A tcp port must be set for ${name('health_check_http')}`,
      offset,
    );
  }
  if (fields.has('publish') && !fields.has('port')) {
    const { path: p, offset } = at('publish');
    sink.error('CMP_ERR_CONFIG_FIELD_CONFLICT', p, 'publish requires port to be set', offset);
  }
  if (fields.has('publish') && udp) {
    const { path: p, offset } = at('publish');
    sink.error(
      'CMP_ERR_CONFIG_FIELD_CONFLICT',
      p,
      `publish requires ${name('port_protocol')} set to tcp`,
      offset,
    );
  }
}

function readScheduled(
  ctx: LoadContext,
  fields: Fields,
  path: string,
): Partial<Omit<ScheduledRun, keyof CommonRun>> {
  const { sink } = ctx;
  const out: Writable<Partial<Omit<ScheduledRun, keyof CommonRun>>> = {};
  set(
    out,
    'schedule',
    field(fields, path, 'schedule', (p, n) => readSchedule(ctx, p, n)),
  );
  set(
    out,
    'retry',
    field(fields, path, 'retry', (p, n) => readInteger(sink, p, n, { min: 0, max: 5 })),
  );
  set(
    out,
    'timeout',
    field(fields, path, 'timeout', (p, n) => readInteger(sink, p, n, { min: 0 })),
  );
  return out;
}

function readSchedule(ctx: LoadContext, path: string, node: SourceNode): string | undefined {
  const text = readString(ctx.sink, path, node);
  if (text === undefined) return undefined;
  const result = checkSchedule(text);
  if (!result.ok) {
    ctx.sink.error(
      'CMP_ERR_CONFIG_INVALID_SCHEDULE',
      path,
      `invalid cron schedule "${text}": ${result.reason}`,
      node.offset,
    );
    return undefined;
  }
  if (result.neverRuns)
    ctx.sink.warning(
      'CMP_WARN_CONFIG_SCHEDULE_NEVER_RUNS',
      path,
      `cron schedule "${text}" never runs`,
      node.offset,
    );
  return text;
}

/** Sets a key only when the value is defined: the model leaves unset fields out rather than undefined. */
function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
