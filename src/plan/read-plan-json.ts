/**
 * The inverse of `planToJson`: reads a plan in the documented JSON format (docs/plan-json.md) back into the
 * `Plan` the renderers take. The API answers with the JSON format, so the CLI renders a remote plan exactly as
 * it renders a local one. Fields a newer minor version adds are ignored; another major version is refused.
 */
import { UserError } from '../errors.js';
import {
  OPERATION_KINDS,
  PLAN_FORMAT_VERSION,
  type TaskOperation,
  type ComponentPlan,
  type FieldChange,
  type Plan,
  type PlanTask,
} from '../model/plan.js';

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function camelKeys(value: Obj): Obj {
  const out: Obj = {};
  for (const [key, v] of Object.entries(value)) out[camel(key)] = v;
  return out;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function change(value: unknown): FieldChange {
  const c = isObj(value) ? value : {};
  // `null` in JSON means "unset" (see planToJson).
  return { field: camel(String(c.field)), before: c.before ?? undefined, after: c.after ?? undefined };
}

function component(value: unknown): ComponentPlan {
  const c = isObj(value) ? value : {};
  const job = isObj(c.job) ? c.job : {};
  return {
    name: String(c.name),
    ...(typeof c.type === 'string' ? { type: c.type as ComponentPlan['type'] } : {}),
    ...(isObj(c.build) ? { build: camelKeys(c.build) as unknown as ComponentPlan['build'] } : {}),
    job: (job.kind === 'update'
      ? { kind: 'update', changes: list(job.changes).map(change) }
      : camelKeys(job)) as unknown as ComponentPlan['job'],
    reason: String(c.reason ?? ''),
    waitFor: list(c.wait_for).map(String),
    ...(typeof c.image === 'string' ? { image: c.image } : {}),
  };
}

function operation(value: unknown): TaskOperation {
  const o = isObj(value) ? camelKeys(value) : {};
  if (o.kind === 'start-build' && isObj(o.request))
    return { ...o, request: camelKeys(o.request) } as unknown as TaskOperation;
  if (o.kind === 'upsert-job' && isObj(o.spec))
    return { ...o, spec: camelKeys(o.spec) } as unknown as TaskOperation;
  if (typeof o.kind === 'string' && (OPERATION_KINDS as readonly string[]).includes(o.kind))
    return o as unknown as TaskOperation;
  throw new UserError(
    'CMP_ERR_PLAN_FORMAT',
    'Unsupported plan format: a task has no operation (format 1.1 or later is needed)',
  );
}

function task(value: unknown): PlanTask {
  const t = isObj(value) ? value : {};
  return {
    id: String(t.id),
    kind: t.kind as PlanTask['kind'],
    component: String(t.component),
    dependsOn: list(t.depends_on).map((d) => ({ ...(d as PlanTask['dependsOn'][number]) })),
    operation: operation(t.operation),
    ready: { ...(t.ready as PlanTask['ready']) },
    reason: { ...(t.reason as PlanTask['reason']) },
  };
}

export function planFromJson(json: unknown): Plan {
  const major =
    isObj(json) && typeof json.format_version === 'string' ? json.format_version.split('.')[0] : '';
  if (!isObj(json) || major !== String(PLAN_FORMAT_VERSION)) {
    throw new UserError(
      'CMP_ERR_PLAN_FORMAT',
      `Unsupported plan format (expected format_version ${PLAN_FORMAT_VERSION}.x)`,
    );
  }
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    id: String(json.plan_id),
    tool: String(json.tool),
    configDigest: String(json.config_digest),
    statusRevision: String(json.status_revision),
    components: list(json.components).map(component),
    tasks: list(json.tasks).map(task),
    warnings: list(json.warnings).map(String),
    summary: camelKeys(isObj(json.summary) ? json.summary : {}) as unknown as Plan['summary'],
    ...(typeof json.rollback_to === 'string' ? { rollbackTo: json.rollback_to } : {}),
  };
}
