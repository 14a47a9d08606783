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

/** `{ key: value }` when the value is set, else nothing: JSON leaves unset fields out. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

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
        ...opt('ref', d.ref),
        ...opt('commit', d.commit),
        shared_with: d.sharedWith,
        ...opt('detail', d.detail),
      };
    case 'reuse-build':
      return { kind: d.kind, build_id: d.buildId, ...opt('image', d.image), commit: d.commit };
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
    ...opt('type', c.type),
    ...opt('build', c.build && build(c.build)),
    job: job(c.job),
    reason: c.reason,
    wait_for: c.waitFor,
    ...opt('image', c.image),
  };
}

/** snake_case field names; values (the health check) are kept as they are. */
function jobTemplate(t: JobTemplate): JobTemplateJsonT {
  return {
    name: t.name,
    type: t.type,
    command: t.command,
    ...opt('schedule', t.schedule),
    ...opt('cpu', t.cpu),
    ...opt('memory', t.memory),
    ...opt('emails', t.emails),
    ...opt('filelog', t.filelog),
    ...opt('filelog_stdout', t.filelogStdout),
    ...opt('filelog_stderr', t.filelogStderr),
    ...opt('mount', t.mount),
    ...opt('port', t.port),
    ...opt('port_protocol', t.portProtocol),
    ...opt('publish', t.publish),
    ...opt('replicas', t.replicas),
    ...opt('health_check', t.healthCheck && { ...t.healthCheck }),
    ...opt('retry', t.retry),
    ...opt('timeout', t.timeout),
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
          ...opt('ref', r.ref),
          use_latest_versions: r.useLatestVersions,
          use_deprecated_versions: r.useDeprecatedVersions,
          // Build envvars keep their names as written.
          ...opt('envvars', r.envvars && { ...r.envvars }),
        },
        ...opt('expected_ms', op.expectedMs),
      };
    }
    case 'follow-build':
      return { kind: op.kind, build_id: op.buildId };
    case 'upsert-job':
      return {
        kind: op.kind,
        spec: jobTemplate(op.spec),
        image: { ...op.image },
        ...opt('restart', op.restart),
      };
    case 'delete-job':
      return { kind: op.kind, name: op.name };
    case 'run-once':
      return {
        kind: op.kind,
        spec: jobTemplate(op.spec),
        image: { ...op.image },
        ...opt('attach', op.attach),
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
      ...opt('to_run', s.toRun),
    },
    components: plan.components.map(component),
    tasks: plan.tasks.map(task),
    warnings: plan.warnings,
    ...opt('rollback_to', plan.rollbackTo),
  };
}

/** Pretty-printed, newline-terminated. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}
