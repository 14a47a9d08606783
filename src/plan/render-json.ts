/**
 * The machine view of a plan (`plan --json`), documented in docs/plan-json.md. snake_case keys and a
 * `format_version` ("<major>.<minor>": the major moves only on incompatible changes, the minor when fields are
 * added), like Terraform's `show -json`. Reads only the serialisable Plan.
 */
import type {
  BuildDecision,
  ComponentPlan,
  FieldChange,
  Plan,
  PlanTask,
  TaskOperation,
} from '../model/plan.js';
import { PLAN_FORMAT_VERSION } from '../model/plan.js';

/** 1.1 added each task's `operation`, `ready` and `reason`. */
export const PLAN_JSON_FORMAT_VERSION = `${PLAN_FORMAT_VERSION}.1`;

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Keeps a JSON-able object's values but renames its keys to snake_case and drops undefined ones. */
function snakeKeys(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[snake(key)] = v;
  return out;
}

function change(c: FieldChange): Record<string, unknown> {
  // null, not a missing key, for "unset": a reader can tell "back to the default" from "field absent".
  return { field: snake(c.field), before: c.before ?? null, after: c.after ?? null };
}

function build(decision: BuildDecision): Record<string, unknown> {
  return snakeKeys(decision);
}

function component(c: ComponentPlan): Record<string, unknown> {
  const job =
    c.job.kind === 'update' ? { kind: 'update', changes: c.job.changes.map(change) } : snakeKeys(c.job);
  return {
    name: c.name,
    ...(c.type ? { type: c.type } : {}),
    ...(c.build ? { build: build(c.build) } : {}),
    job,
    reason: c.reason,
    wait_for: c.waitFor,
    ...(c.image !== undefined ? { image: c.image } : {}),
  };
}

/** snake_case field names; values (build envvars, health check) are kept as they are. */
function operation(op: TaskOperation): Record<string, unknown> {
  switch (op.kind) {
    case 'start-build':
      return {
        kind: op.kind,
        request: snakeKeys(op.request),
        ...(op.expectedMs !== undefined ? { expected_ms: op.expectedMs } : {}),
      };
    case 'upsert-job':
      return snakeKeys({
        kind: op.kind,
        spec: snakeKeys(op.spec),
        image: { ...op.image },
        restart: op.restart,
      });
    default:
      return snakeKeys(op);
  }
}

function task(t: PlanTask): Record<string, unknown> {
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

export function planToJson(plan: Plan): Record<string, unknown> {
  return {
    format_version: PLAN_JSON_FORMAT_VERSION,
    plan_id: plan.id,
    tool: plan.tool,
    config_digest: plan.configDigest,
    status_revision: plan.statusRevision,
    has_changes: plan.tasks.length > 0,
    summary: snakeKeys(plan.summary),
    components: plan.components.map(component),
    tasks: plan.tasks.map(task),
    warnings: plan.warnings,
    ...(plan.rollbackTo !== undefined ? { rollback_to: plan.rollbackTo } : {}),
  };
}

/** Pretty-printed, newline-terminated. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}
