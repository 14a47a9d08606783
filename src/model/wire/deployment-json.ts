/**
 * A deployment as components-api answers it: upstream's fields (`builds` and `runs` keyed by component, with
 * upstream's states) plus ours (`tasks`, `plan_id`, `deployed`, `rollback_to`, and `plan` in a deploy's or
 * rollback's answer). Upstream leaves out fields it never set (a new deployment has no `status`), so only
 * what upstream always sends is required; ours are optional because upstream's servers never send them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DEPLOYMENT_STATES, TASK_STATES } from '../deployment.js';
import { TASK_KINDS } from '../plan.js';
import { OneOf, ToolConfigDocument, List } from './kit.js';
import { PlanJson, TaskDependencyJson } from './plan-json.js';

export const UPSTREAM_BUILD_STATES = [
  'pending',
  'running',
  'failed',
  'successful',
  'unknown',
  'skipped',
  'cancelled',
] as const;
export const UPSTREAM_RUN_STATES = ['pending', 'failed', 'successful', 'skipped', 'unknown'] as const;

export const BuildInfoJson = Type.Object({
  build_id: Type.String({ description: 'The build, or `no-id-yet` / `no-build-needed`' }),
  build_status: OneOf(UPSTREAM_BUILD_STATES),
  build_image: Type.Optional(Type.String()),
  build_long_status: Type.Optional(Type.String()),
});

export const RunInfoJson = Type.Object({
  run_status: OneOf(UPSTREAM_RUN_STATES),
  run_long_status: Type.Optional(Type.String()),
});

/** Ours: one task of the deployment's DAG as the executor advances it. */
export const DeploymentTaskJson = Type.Object({
  id: Type.String(),
  kind: OneOf(TASK_KINDS),
  component: Type.String(),
  state: OneOf(TASK_STATES),
  reason: Type.Optional(Type.String({ description: 'Why it is in this state' })),
  attempts: Type.Integer({ minimum: 0 }),
  waiting_for: List(Type.String(), { description: 'Components it waits for now' }),
  depends_on: List(TaskDependencyJson),
  external_id: Type.Optional(Type.String({ description: 'The runtime id of its work (the build id)' })),
  started_at: Type.Optional(Type.String()),
  finished_at: Type.Optional(Type.String()),
});

/** Ours: what a deployment deployed for one component. */
export const DeployedJson = Type.Object({
  commit: Type.Optional(Type.String()),
  build_id: Type.Optional(Type.String()),
  image: Type.Optional(Type.String()),
});

export const DeploymentJson = Type.Object({
  deploy_id: Type.String(),
  creation_time: Type.String({ description: '`YYYYmmdd-HHMMSS`' }),
  description: Type.Optional(Type.String()),
  builds: Type.Record(Type.String(), BuildInfoJson, { description: 'By component' }),
  runs: Type.Record(Type.String(), RunInfoJson, { description: 'By component' }),
  tool_config: Type.Optional(ToolConfigDocument),
  status: Type.Optional(OneOf(DEPLOYMENT_STATES)),
  long_status: Type.Optional(Type.String()),
  force_build: Type.Optional(Type.Boolean()),
  force_run: Type.Optional(Type.Boolean()),
  plan_id: Type.Optional(Type.String({ description: 'Ours' })),
  tasks: Type.Optional(List(DeploymentTaskJson, { description: 'Ours, in plan order' })),
  deployed: Type.Optional(
    Type.Record(Type.String(), DeployedJson, { description: 'Ours: what it deployed, by component' }),
  ),
  rollback_to: Type.Optional(
    Type.String({ description: 'Ours, on a rollback: the deployment it deploys again' }),
  ),
  /** Only in a deploy's or a rollback's answer: its plan. */
  plan: Type.Optional(PlanJson),
});
export type DeploymentJsonT = Static<typeof DeploymentJson>;
export type DeploymentTaskJsonT = Static<typeof DeploymentTaskJson>;

export const DeploymentListJson = Type.Object({ deployments: List(DeploymentJson) });

/** A deploy's or a rollback's answer: the plan with `only-plan=true`, else the new deployment with its plan. */
export const DeployAnswerJson = Type.Union([DeploymentJson, PlanJson], {
  description: 'The plan (only-plan) or the deployment, with its plan as `plan`',
});
