/**
 * JSON Schema (draft-07, the draft yaml-language-server and most editors support fully) of each dialect,
 * for completion and inline checks in editors. It is generated from the same field lists as the loader, so the
 * spellings cannot drift. It checks shapes, types, enums and ranges; the loader remains the authority for what
 * a schema cannot say (references between components, cycles, cron syntax beyond the field count).
 */
import { MAX_COMPONENT_NAME_LENGTH } from './component-name.js';
import { SCHEDULE_MACROS } from './check-schedule.js';
import { spell } from './field-names.js';
import {
  COMPONENT_TYPES,
  EMAIL_MODES,
  ENVVAR_NAME_PATTERN,
  MOUNT_MODES,
  PORT_PROTOCOLS,
  type ComponentType,
  type ConfigDialect,
} from '../model/tool-config.js';

type Schema = Record<string, unknown>;

const JOB_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const SCHEDULE_PATTERN = `^\\s*(${SCHEDULE_MACROS.join('|')}|\\S+(\\s+\\S+){4})\\s*$`;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });

function commonRun(dialect: ConfigDialect): Record<string, Schema> {
  return {
    command: str('Procfile process type or shell command; `launcher` is prepended to load the environment.'),
    cpu: {
      type: dialect === 'seed' ? ['string', 'number'] : 'string',
      description: 'CPU limit, e.g. "500m" or "1".',
    },
    memory: str('Memory limit, e.g. "512Mi" or "1G".'),
    emails: { enum: [...EMAIL_MODES], description: 'When jobs-api sends e-mails about the job.' },
    filelog: { type: 'boolean', description: 'Whether the job writes its output to log files.' },
    filelog_stdout: str('Path to the stdout file log.'),
    filelog_stderr: str('Path to the stderr file log.'),
    mount: { enum: [...MOUNT_MODES], description: 'Whether the NFS shares are mounted.' },
  };
}

function continuousRun(): Record<string, Schema> {
  return {
    port: int('Port the service listens on.', { minimum: 1, maximum: 65535 }),
    port_protocol: { enum: [...PORT_PROTOCOLS] },
    publish: str('Expose the component at https://<tool>.toolforge.org<path>; only "/" is supported.', {
      pattern: '^/$',
    }),
    replicas: int('Number of replicas.', { minimum: 1 }),
    health_check_script: str('Command run inside the container; success means healthy.'),
    health_check_http: str('HTTP path that must answer 200 OK, e.g. "/healthz".'),
  };
}

function scheduledRun(): Record<string, Schema> {
  return {
    schedule: str('Cron schedule: 5 fields or a macro such as @daily.', { pattern: SCHEDULE_PATTERN }),
    retry: int('Retries after a failure (0–5).', { minimum: 0, maximum: 5 }),
    timeout: int('Seconds before the run is failed.', { minimum: 0 }),
  };
}

/** Renames canonical (snake_case) property names to the dialect's spelling. */
function spelled(properties: Record<string, Schema>, dialect: ConfigDialect): Record<string, Schema> {
  return Object.fromEntries(
    Object.entries(properties).map(([field, schema]) => [spell(field, dialect), schema]),
  );
}

/** A one-off job runs once per change: no schedule, nothing served, no health; retried and timed out. */
function oneOffRun(): Record<string, Schema> {
  const { retry, timeout } = scheduledRun();
  return { ...(retry ? { retry } : {}), ...(timeout ? { timeout } : {}) };
}

function runSchema(dialect: ConfigDialect, type: ComponentType): Schema {
  const specific =
    type === 'continuous' ? continuousRun() : type === 'one-off' ? oneOffRun() : scheduledRun();
  const required =
    type === 'scheduled'
      ? ['command', 'schedule']
      : type === 'one-off' || dialect !== 'seed'
        ? ['command']
        : [];
  const schema: Schema = {
    type: 'object',
    additionalProperties: false,
    properties: spelled({ ...commonRun(dialect), ...specific }, dialect),
    required: required.map((f) => spell(f, dialect)),
  };
  if (type === 'continuous') {
    schema.not = { required: [spell('health_check_script', dialect), spell('health_check_http', dialect)] };
    schema.dependencies = { publish: ['port'] };
  }
  return schema;
}

function buildSchemas(dialect: ConfigDialect): Record<string, Schema> {
  const repository =
    dialect !== 'seed'
      ? str('URL of the public git repository to build.', { minLength: 1, pattern: '^(https?|git)://' })
      : str('Git URL (http, https, git, file) or a path relative to this file.', { minLength: 1 });
  return {
    sourceBuild: {
      type: 'object',
      additionalProperties: false,
      required: dialect !== 'seed' ? ['repository', 'ref'] : ['repository'],
      properties: spelled(
        {
          repository,
          ref: str('Branch, tag or commit to build; the default branch when left out.', { minLength: 1 }),
          use_latest_versions: { type: 'boolean', description: 'Use the latest buildpacks and run images.' },
          use_deprecated_versions: {
            type: 'boolean',
            description: 'Use the deprecated buildpacks and run images.',
          },
          ...(dialect !== 'v1beta1'
            ? {
                envvars: {
                  type: 'object',
                  description: 'Environment variables set while building (not when running).',
                  propertyNames: { pattern: ENVVAR_NAME_PATTERN.source },
                  additionalProperties: { type: dialect === 'seed' ? ['string', 'number'] : 'string' },
                },
              }
            : {}),
        },
        dialect,
      ),
    },
    reuseBuild: {
      type: 'object',
      additionalProperties: false,
      required: [spell('reuse_from', dialect)],
      properties: {
        [spell('reuse_from', dialect)]: str('Component whose image this one runs.', { minLength: 1 }),
      },
    },
  };
}

/**
 * Which run a component has: scheduled exactly when the run has a `schedule` (upstream's rule); in the seed
 * dialect a written `type` decides instead. `one-off` (our extension) is only ever written, in both.
 */
function runByType(dialect: ConfigDialect): Schema {
  const type = spell('component_type', dialect);
  const run = spell('run', dialect);
  const scheduled = { required: [run], properties: { [run]: { $ref: '#/definitions/scheduledRun' } } };
  const continuous = { properties: { [run]: { $ref: '#/definitions/continuousRun' } } };
  const oneOff = { required: [run], properties: { [run]: { $ref: '#/definitions/oneOffRun' } } };
  const isOneOff = { required: [type], properties: { [type]: { const: 'one-off' } } };
  const inferred = {
    if: { required: [run], properties: { [run]: { type: 'object', required: ['schedule'] } } },
    then: scheduled,
    else: continuous,
  };
  if (dialect !== 'seed') return { if: isOneOff, then: oneOff, else: inferred };
  return {
    if: { required: [type] },
    then: {
      if: { properties: { [type]: { const: 'scheduled' } } },
      then: scheduled,
      else: { if: isOneOff, then: oneOff, else: continuous },
    },
    else: inferred,
  };
}

function componentSchema(dialect: ConfigDialect): Schema {
  const type = spell('component_type', dialect);
  const run = spell('run', dialect);
  return {
    type: 'object',
    additionalProperties: false,
    required: dialect !== 'seed' ? ['build', 'run'] : ['build'],
    properties: {
      description: str('What the component is for.'),
      [type]: {
        enum: [...COMPONENT_TYPES],
        description:
          dialect === 'seed'
            ? 'Left out: scheduled when the run has a schedule, else continuous. one-off: runs to completion once per change of its image or run.'
            : 'Scheduled exactly when the run has a schedule (a different value is overwritten); one-off (an extension) is kept: it runs to completion once per change of its image or run.',
      },
      build: { oneOf: [{ $ref: '#/definitions/sourceBuild' }, { $ref: '#/definitions/reuseBuild' }] },
      [run]: { type: 'object' },
      [spell('wait_for', dialect)]: {
        type: 'array',
        uniqueItems: true,
        description:
          'Components that must be ready (healthy, or registered if scheduled) before this one is deployed.',
        items: { type: 'string', pattern: JOB_NAME_PATTERN },
      },
    },
    ...runByType(dialect),
  };
}

function versionSchema(dialect: ConfigDialect): Schema {
  if (dialect === 'seed') return { enum: [0.1, '0.1'] };
  if (dialect === 'v1beta1') return { enum: ['v1beta1', null], default: 'v1beta1' };
  return {
    enum: ['v1beta1', 'v1beta2', null],
    default: 'v1beta2',
    description: 'v1beta1 is deprecated: it is read as v1beta2.',
  };
}

const DEFAULTS_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  description: 'Tool-wide settings.',
  properties: {
    alerts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        notify: {
          type: 'boolean',
          default: false,
          description: "E-mail the tool's maintainers about its alerts (beta).",
        },
      },
    },
  },
};

const TITLES: Record<ConfigDialect, string> = {
  seed: 'Toolforge tool config (config-version 0.1)',
  v1beta1: 'Toolforge tool config (v1beta1, deprecated)',
  v1beta2: 'Toolforge tool config (v1beta2)',
};

export function configJsonSchema(dialect: ConfigDialect): object {
  const version = spell('config_version', dialect);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: TITLES[dialect],
    type: 'object',
    additionalProperties: false,
    required: dialect === 'seed' ? [version, 'components'] : ['components'],
    properties: {
      [version]: versionSchema(dialect),
      [spell('source_url', dialect)]: str('Fetch the config from this URL on every deploy.', {
        format: 'uri',
        pattern: '^https?://',
      }),
      ...(dialect !== 'v1beta1' ? { defaults: DEFAULTS_SCHEMA } : {}),
      components: {
        type: 'object',
        minProperties: 1,
        description: 'The components of the tool, by name (a jobs-api job name).',
        propertyNames: { pattern: JOB_NAME_PATTERN, maxLength: MAX_COMPONENT_NAME_LENGTH },
        additionalProperties: { $ref: '#/definitions/component' },
      },
    },
    definitions: {
      component: componentSchema(dialect),
      ...buildSchemas(dialect),
      continuousRun: runSchema(dialect, 'continuous'),
      scheduledRun: runSchema(dialect, 'scheduled'),
      oneOffRun: runSchema(dialect, 'one-off'),
    },
  };
}
