/**
 * The inverse of `planToJson`: reads a plan in the documented JSON format (docs/plan-json.md) back into the
 * `Plan` the renderers take. The API answers with the JSON format, so the CLI renders a remote plan exactly as
 * it renders a local one. The document is checked against the contract (src/model/wire/plan-json.ts) first;
 * fields a newer minor version adds are ignored; another major version is refused.
 */
import { UserError } from '../errors.js';
import {
  PLAN_FORMAT_VERSION,
  type BuildDecision,
  type ComponentPlan,
  type FieldChange,
  type JobDecision,
  type JobTemplate,
  type Plan,
  type PlanTask,
  type TaskOperation,
} from '../model/plan.js';
import { readWire } from '../model/wire/check.js';
import { field } from '../model/wire/kit.js';
import {
  PlanJson,
  type BuildDecisionJsonT,
  type ComponentPlanJsonT,
  type FieldChangeJsonT,
  type JobDecisionJsonT,
  type JobTemplateJsonT,
  type PlanTaskJsonT,
  type TaskOperationJsonT,
} from '../model/wire/plan-json.js';

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function change(c: FieldChangeJsonT): FieldChange {
  // `null` in JSON means "unset" (see planToJson).
  return { field: camel(c.field), before: c.before ?? undefined, after: c.after ?? undefined };
}

function build(d: BuildDecisionJsonT): BuildDecision {
  switch (d.kind) {
    case 'build':
      return {
        kind: d.kind,
        reason: d.reason,
        repository: d.repository,
        ...field('ref', d.ref),
        ...field('commit', d.commit),
        sharedWith: d.shared_with,
        ...field('detail', d.detail),
      };
    case 'reuse-build':
      return { kind: d.kind, buildId: d.build_id, ...field('image', d.image), commit: d.commit };
    case 'follow-build':
      return { kind: d.kind, buildId: d.build_id, commit: d.commit };
    default:
      return { kind: d.kind, component: d.component };
  }
}

function job(d: JobDecisionJsonT): JobDecision {
  return d.kind === 'update' ? { kind: d.kind, changes: d.changes.map(change) } : { ...d };
}

function component(c: ComponentPlanJsonT): ComponentPlan {
  return {
    name: c.name,
    ...field('type', c.type),
    ...field('build', c.build && build(c.build)),
    job: job(c.job),
    reason: c.reason,
    waitFor: c.wait_for,
    ...field('image', c.image),
  };
}

function jobTemplate(t: JobTemplateJsonT): JobTemplate {
  return {
    name: t.name,
    type: t.type,
    command: t.command,
    ...field('schedule', t.schedule),
    ...field('cpu', t.cpu),
    ...field('memory', t.memory),
    ...field('emails', t.emails),
    ...field('filelog', t.filelog),
    ...field('filelogStdout', t.filelog_stdout),
    ...field('filelogStderr', t.filelog_stderr),
    ...field('mount', t.mount),
    ...field('port', t.port),
    ...field('portProtocol', t.port_protocol),
    ...field('publish', t.publish),
    ...field('replicas', t.replicas),
    ...field('healthCheck', t.health_check && { ...t.health_check }),
    ...field('retry', t.retry),
    ...field('timeout', t.timeout),
  };
}

function operation(op: TaskOperationJsonT): TaskOperation {
  switch (op.kind) {
    case 'start-build': {
      const r = op.request;
      return {
        kind: op.kind,
        request: {
          imageName: r.image_name,
          repository: r.repository,
          ...field('ref', r.ref),
          useLatestVersions: r.use_latest_versions,
          useDeprecatedVersions: r.use_deprecated_versions,
          ...field('envvars', r.envvars && { ...r.envvars }),
        },
        ...field('expectedMs', op.expected_ms),
      };
    }
    case 'follow-build':
      return { kind: op.kind, buildId: op.build_id };
    case 'upsert-job':
      return {
        kind: op.kind,
        spec: jobTemplate(op.spec),
        image: { ...op.image },
        ...field('restart', op.restart),
      };
    case 'delete-job':
      return { kind: op.kind, name: op.name };
    case 'run-once':
      return {
        kind: op.kind,
        spec: jobTemplate(op.spec),
        image: { ...op.image },
        ...field('attach', op.attach),
      };
  }
}

function task(t: PlanTaskJsonT): PlanTask {
  return {
    id: t.id,
    kind: t.kind,
    component: t.component,
    dependsOn: t.depends_on.map((d) => ({ ...d })),
    operation: operation(t.operation),
    ready: { ...t.ready },
    reason: { ...t.reason },
  };
}

function formatError(detail: string): UserError {
  return new UserError('CMP_ERR_PLAN_FORMAT', `Unsupported plan format${detail}`);
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function planFromJson(json: unknown): Plan {
  const version = isRecord(json) ? json.format_version : undefined;
  if (typeof version !== 'string' || version.split('.')[0] !== String(PLAN_FORMAT_VERSION))
    throw formatError(` (expected format_version ${PLAN_FORMAT_VERSION}.x)`);
  const tasks = isRecord(json) && Array.isArray(json.tasks) ? json.tasks : [];
  if (tasks.some((t) => !isRecord(t) || t.operation === undefined))
    throw formatError(': a task has no operation (format 1.1 or later is needed)');
  const read = readWire(PlanJson, json);
  if (!read.ok) throw formatError(`: ${read.problem}`);
  const p = read.value;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    id: p.plan_id,
    tool: p.tool,
    configDigest: p.config_digest,
    statusRevision: p.status_revision,
    components: p.components.map(component),
    tasks: p.tasks.map(task),
    warnings: p.warnings,
    summary: {
      toBuild: p.summary.to_build,
      toCreate: p.summary.to_create,
      toUpdate: p.summary.to_update,
      toRestart: p.summary.to_restart,
      toDelete: p.summary.to_delete,
      unchanged: p.summary.unchanged,
      ...field('toRun', p.summary.to_run),
    },
    ...field('rollbackTo', p.rollback_to),
  };
}
