/**
 * The normalised config written back out in the seed dialect or upstream's current one (v1beta2), with only
 * the fields that are set (jobs-api defaults stay implicit). Loading the output gives the same config back,
 * with two upstream exceptions forced by upstream's schema: a source build without a ref gets `ref: HEAD` (what upstream's config generator
 * writes), and a continuous component without a command gets `command: web` (the default process type).
 */
import { spell } from './field-names.js';
import {
  CURRENT_UPSTREAM_VERSION,
  type Component,
  type ConfigDialect,
  type ContinuousRun,
  type ScheduledRun,
  type ToolConfig,
} from '../model/tool-config.js';

type Json = Record<string, unknown>;

export function toV1beta2(config: ToolConfig): Json {
  return serialize(config, 'v1beta2');
}

export function toSeed(config: ToolConfig): Json {
  return serialize(config, 'seed');
}

function serialize(config: ToolConfig, dialect: ConfigDialect): Json {
  const components: Json = {};
  for (const component of config.components)
    components[component.name] = serializeComponent(component, dialect);
  return {
    [spell('config_version', dialect)]: dialect === 'seed' ? 0.1 : CURRENT_UPSTREAM_VERSION,
    ...(config.sourceUrl !== undefined ? { [spell('source_url', dialect)]: config.sourceUrl } : {}),
    ...(config.defaults !== undefined
      ? { defaults: { alerts: { notify: config.defaults.alerts.notify } } }
      : {}),
    components,
  };
}

function serializeComponent(component: Component, dialect: ConfigDialect): Json {
  const key = (field: string) => spell(field, dialect);
  const out: Json = {};
  if (component.description !== undefined) out.description = component.description;
  out[key('component_type')] = component.type;
  out.build = serializeBuild(component, dialect);
  const run = serializeRun(component, dialect);
  if (Object.keys(run).length > 0 || dialect !== 'seed' || component.type === 'scheduled') out.run = run;
  if (component.waitFor.length > 0) out[key('wait_for')] = [...component.waitFor];
  return out;
}

function serializeBuild(component: Component, dialect: ConfigDialect): Json {
  const build = component.build;
  if (build.kind === 'reuse') return { [spell('reuse_from', dialect)]: build.reuseFrom };
  const ref = build.ref ?? (dialect !== 'seed' ? 'HEAD' : undefined);
  return {
    repository: build.repository,
    ...(ref !== undefined ? { ref } : {}),
    ...(build.useLatestVersions ? { [spell('use_latest_versions', dialect)]: true } : {}),
    ...(build.useDeprecatedVersions ? { [spell('use_deprecated_versions', dialect)]: true } : {}),
    ...(build.envvars !== undefined ? { envvars: { ...build.envvars } } : {}),
  };
}

function serializeRun(component: Component, dialect: ConfigDialect): Json {
  const out: Json = {};
  const put = (field: string, value: unknown) => {
    if (value !== undefined) out[spell(field, dialect)] = value;
  };
  const run = component.run;
  const command = run.command ?? (dialect !== 'seed' && component.type === 'continuous' ? 'web' : undefined);
  put('command', command);
  if (component.type === 'scheduled') putScheduled(put, component.run);
  else putContinuous(put, component.run);
  put('cpu', run.cpu);
  put('memory', run.memory);
  put('emails', run.emails);
  put('filelog', run.filelog);
  put('filelog_stdout', run.filelogStdout);
  put('filelog_stderr', run.filelogStderr);
  put('mount', run.mount);
  return out;
}

function putScheduled(put: (field: string, value: unknown) => void, run: ScheduledRun): void {
  put('schedule', run.schedule);
  put('retry', run.retry);
  put('timeout', run.timeout);
}

function putContinuous(put: (field: string, value: unknown) => void, run: ContinuousRun): void {
  put('port', run.port);
  put('port_protocol', run.portProtocol);
  put('publish', run.publish);
  put('replicas', run.replicas);
  if (run.healthCheck?.type === 'http') put('health_check_http', run.healthCheck.path);
  if (run.healthCheck?.type === 'script') put('health_check_script', run.healthCheck.script);
}
