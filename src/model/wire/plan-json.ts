/**
 * The plan's JSON format (docs/plan-json.md, format 1.1): what `plan --json` prints, what the API answers a
 * `deploy?only-plan=true` with (and carries as `plan` in a deploy's answer), and what `planFromJson` reads
 * back. snake_case keys; the vocabularies are the model's (`src/model/plan.ts`), only ever added to.
 */
import { Type, type Static } from '@sinclair/typebox';
import { OneOf, Tagged, List } from './kit.js';
import { COMPONENT_TYPES, EMAIL_MODES, MOUNT_MODES, PORT_PROTOCOLS } from '../tool-config.js';
import { ONE_OFF_RUN_REASONS, OPERATION_KINDS, TASK_KINDS, TASK_REASON_CODES } from '../plan.js';

const Names = List(Type.String());

export const BuildDecisionJson = Type.Union(
  [
    Tagged('build', {
      reason: OneOf(['no-matching-build', 'forced', 'unresolved-ref']),
      repository: Type.String(),
      ref: Type.Optional(Type.String()),
      commit: Type.Optional(Type.String({ description: 'Absent when the ref could not be resolved' })),
      shared_with: List(Type.String(), { description: 'Components that use this same build' }),
      detail: Type.Optional(Type.String()),
    }),
    Tagged('reuse-build', {
      build_id: Type.String(),
      image: Type.Optional(Type.String()),
      commit: Type.String(),
    }),
    Tagged('follow-build', { build_id: Type.String(), commit: Type.String() }),
    Tagged('from-component', { component: Type.String() }),
    Tagged('shared-build', { component: Type.String() }),
  ],
  { description: "What happens to the component's image" },
);

export const FieldChangeJson = Type.Object({
  field: Type.String({ description: 'snake_case, e.g. `port_protocol`' }),
  before: Type.Unknown({ description: 'What the runtime reports; null = unset' }),
  after: Type.Unknown({ description: 'What the config asks for; null = unset' }),
});

export const JobDecisionJson = Type.Union(
  [
    Tagged('create', {}),
    Tagged('update', { changes: List(FieldChangeJson) }),
    Tagged('restart', { reason: OneOf(['image-rebuilt', 'forced']) }),
    Tagged('no-op', {}),
    Tagged('delete', {}),
    Tagged('leave-orphan', {}),
    Tagged('run', { reason: OneOf(ONE_OFF_RUN_REASONS) }),
  ],
  { description: "What happens to the component's job" },
);

export const ComponentPlanJson = Type.Object({
  name: Type.String(),
  type: Type.Optional(OneOf(COMPONENT_TYPES, 'Absent for an orphaned component')),
  build: Type.Optional(BuildDecisionJson),
  job: JobDecisionJson,
  reason: Type.String({ description: 'One human sentence: why' }),
  wait_for: Names,
  image: Type.Optional(Type.String({ description: 'The image the job runs after this plan' })),
});

export const HealthCheckJson = Type.Union([
  Type.Object({ type: Type.Literal('http'), path: Type.String() }),
  Type.Object({ type: Type.Literal('script'), script: Type.String() }),
]);

/** A job as the plan asks for it, without its image (`JobTemplate`), in snake_case. */
export const JobTemplateJson = Type.Object({
  name: Type.String(),
  type: OneOf(COMPONENT_TYPES),
  command: Type.String(),
  schedule: Type.Optional(Type.String()),
  cpu: Type.Optional(Type.String()),
  memory: Type.Optional(Type.String()),
  emails: Type.Optional(OneOf(EMAIL_MODES)),
  filelog: Type.Optional(Type.Boolean()),
  filelog_stdout: Type.Optional(Type.String()),
  filelog_stderr: Type.Optional(Type.String()),
  mount: Type.Optional(OneOf(MOUNT_MODES)),
  port: Type.Optional(Type.Number()),
  port_protocol: Type.Optional(OneOf(PORT_PROTOCOLS)),
  publish: Type.Optional(Type.String()),
  replicas: Type.Optional(Type.Number()),
  health_check: Type.Optional(HealthCheckJson),
  retry: Type.Optional(Type.Number()),
  timeout: Type.Optional(Type.Number()),
});

export const BuildRequestJson = Type.Object({
  image_name: Type.String(),
  repository: Type.String(),
  ref: Type.Optional(Type.String()),
  use_latest_versions: Type.Boolean(),
  use_deprecated_versions: Type.Boolean(),
  envvars: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Names as written' })),
});

export const PlannedImageJson = Type.Union([
  Tagged('known', { image: Type.String() }),
  Tagged('from-build', { task: Type.String({ description: 'The build task whose image it runs' }) }),
]);

export const TaskOperationJson = Type.Union(
  [
    Tagged('start-build', {
      request: BuildRequestJson,
      expected_ms: Type.Optional(Type.Number({ description: "How long the image's last build took" })),
    }),
    Tagged('follow-build', { build_id: Type.String() }),
    Tagged('upsert-job', {
      spec: JobTemplateJson,
      image: PlannedImageJson,
      restart: Type.Optional(OneOf(['image-rebuilt', 'forced'])),
    }),
    Tagged('delete-job', { name: Type.String() }),
    Tagged('run-once', {
      spec: JobTemplateJson,
      image: PlannedImageJson,
      attach: Type.Optional(Type.Literal(true)),
    }),
  ],
  { description: `Exactly what the executor does; kind is one of ${OPERATION_KINDS.join(', ')}` },
);

export const TaskDependencyJson = Type.Object({
  task: Type.String(),
  condition: OneOf(['completed', 'healthy', 'registered']),
});

export const TaskReadyJson = Type.Union([
  Tagged('completed', {}),
  Tagged('healthy', { observed: OneOf(['health-check', 'stability']) }),
  Tagged('registered', {}),
]);

export const PlanTaskJson = Type.Object({
  id: Type.String({ description: '`build:<component>`, `deploy:<component>` or `delete:<component>`' }),
  kind: OneOf(TASK_KINDS),
  component: Type.String(),
  depends_on: List(TaskDependencyJson),
  operation: TaskOperationJson,
  ready: TaskReadyJson,
  reason: Type.Object({ code: OneOf(TASK_REASON_CODES), text: Type.String() }),
});

const Count = Type.Integer({ minimum: 0 });

export const PlanSummaryJson = Type.Object({
  to_build: Count,
  to_create: Count,
  to_update: Count,
  to_restart: Count,
  to_delete: Count,
  unchanged: Count,
  to_run: Type.Optional(Type.Integer({ minimum: 0, description: 'Present only when there are some' })),
});

export const PlanJson = Type.Object(
  {
    format_version: Type.String({ pattern: '^\\d+\\.\\d+$', description: '"<major>.<minor>"' }),
    plan_id: Type.String(),
    tool: Type.String(),
    config_digest: Type.String(),
    status_revision: Type.String(),
    has_changes: Type.Boolean(),
    summary: PlanSummaryJson,
    components: List(ComponentPlanJson),
    tasks: List(PlanTaskJson, { description: 'The task DAG in execution order' }),
    warnings: Names,
    rollback_to: Type.Optional(Type.String({ description: "Only in a rollback's plan" })),
  },
  { description: 'A deployment plan (docs/plan-json.md)' },
);
export type PlanJsonT = Static<typeof PlanJson>;
export type ComponentPlanJsonT = Static<typeof ComponentPlanJson>;
export type PlanTaskJsonT = Static<typeof PlanTaskJson>;
export type JobTemplateJsonT = Static<typeof JobTemplateJson>;
export type TaskOperationJsonT = Static<typeof TaskOperationJson>;
export type BuildDecisionJsonT = Static<typeof BuildDecisionJson>;
export type JobDecisionJsonT = Static<typeof JobDecisionJson>;
export type FieldChangeJsonT = Static<typeof FieldChangeJson>;
