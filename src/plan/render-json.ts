/**
 * The machine view of a plan (`plan --json`), documented in docs/plan-json.md. snake_case keys and a
 * `format_version` ("<major>.<minor>": the major moves only on incompatible changes, the minor when fields are
 * added), like Terraform's `show -json`. Reads only the serialisable Plan.
 */
import type {
  BuildDecision,
  ComponentPlan,
  FieldChange,
  JobDecision,
  JobTemplate,
  Plan,
  PlanTask,
  TaskOperation,
} from '../model/plan.js';
import { PLAN_FORMAT_VERSION } from '../model/plan.js';
import { field } from '../model/wire/kit.js';
import type {
  BuildDecisionJsonT,
  ComponentPlanJsonT,
  FieldChangeJsonT,
  JobDecisionJsonT,
  JobTemplateJsonT,
  PlanJsonT,
  PlanTaskJsonT,
  TaskOperationJsonT,
} from '../model/wire/plan-json.js';

/** 1.1 added each task's `operation`, `ready` and `reason`. */
export const PLAN_JSON_FORMAT_VERSION = `${PLAN_FORMAT_VERSION}.1`;

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function change(c: FieldChange): FieldChangeJsonT {
  // null, not a missing key, for "unset": a reader can tell "back to the default" from "field absent".
  return { field: snake(c.field), before: c.before ?? null, after: c.after ?? null };
}

function build(d: BuildDecision): BuildDecisionJsonT {
  switch (d.kind) {
    case 'build':
      return {
        kind: d.kind,
        reason: d.reason,
        repository: d.repository,
        ...field('ref', d.ref),
        ...field('commit', d.commit),
        shared_with: d.sharedWith,
        ...field('detail', d.detail),
      };
    case 'reuse-build':
      return { kind: d.kind, build_id: d.buildId, ...field('image', d.image), commit: d.commit };
    case 'follow-build':
      return { kind: d.kind, build_id: d.buildId, commit: d.commit };
    default:
      return { kind: d.kind, component: d.component };
  }
}

function job(d: JobDecision): JobDecisionJsonT {
  return d.kind === 'update' ? { kind: d.kind, changes: d.changes.map(change) } : { ...d };
}

function component(c: ComponentPlan): ComponentPlanJsonT {
  return {
    name: c.name,
    ...field('type', c.type),
    ...field('build', c.build && build(c.build)),
    job: job(c.job),
    reason: c.reason,
    wait_for: c.waitFor,
    ...field('image', c.image),
  };
}

/** snake_case field names; values (the health check) are kept as they are. */
function jobTemplate(t: JobTemplate): JobTemplateJsonT {
  return {
    name: t.name,
    type: t.type,
    command: t.command,
    ...field('schedule', t.schedule),
    ...field('cpu', t.cpu),
    ...field('memory', t.memory),
    ...field('emails', t.emails),
    ...field('filelog', t.filelog),
    ...field('filelog_stdout', t.filelogStdout),
    ...field('filelog_stderr', t.filelogStderr),
    ...field('mount', t.mount),
    ...field('port', t.port),
    ...field('port_protocol', t.portProtocol),
    ...field('publish', t.publish),
    ...field('replicas', t.replicas),
    ...field('health_check', t.healthCheck && { ...t.healthCheck }),
    ...field('retry', t.retry),
    ...field('timeout', t.timeout),
  };
}

function operation(op: TaskOperation): TaskOperationJsonT {
  switch (op.kind) {
    case 'start-build': {
      const r = op.request;
      return {
        kind: op.kind,
        request: {
          image_name: r.imageName,
          repository: r.repository,
          ...field('ref', r.ref),
          use_latest_versions: r.useLatestVersions,
          use_deprecated_versions: r.useDeprecatedVersions,
          // Build envvars keep their names as written.
          ...field('envvars', r.envvars && { ...r.envvars }),
        },
        ...field('expected_ms', op.expectedMs),
      };
    }
    case 'follow-build':
      return { kind: op.kind, build_id: op.buildId };
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

function task(t: PlanTask): PlanTaskJsonT {
  return {
    id: t.id,
    kind: t.kind,
    component: t.component,
    depends_on: t.dependsOn.map((d) => ({ ...d })),
    operation: operation(t.operation),
    ready: { ...t.ready },
    reason: { ...t.reason },
  };
}

export function planToJson(plan: Plan): PlanJsonT {
  const s = plan.summary;
  return {
    format_version: PLAN_JSON_FORMAT_VERSION,
    plan_id: plan.id,
    tool: plan.tool,
    config_digest: plan.configDigest,
    status_revision: plan.statusRevision,
    has_changes: plan.tasks.length > 0,
    summary: {
      to_build: s.toBuild,
      to_create: s.toCreate,
      to_update: s.toUpdate,
      to_restart: s.toRestart,
      to_delete: s.toDelete,
      unchanged: s.unchanged,
      ...field('to_run', s.toRun),
    },
    components: plan.components.map(component),
    tasks: plan.tasks.map(task),
    warnings: plan.warnings,
    ...field('rollback_to', plan.rollbackTo),
  };
}

/** Pretty-printed, newline-terminated. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}
