/**
 * Our deployment + tasks → upstream's deployment JSON. Upstream clients read `builds` and `runs` maps keyed by
 * component with upstream's states and long statuses; we derive both from the task records (never stored
 * twice) and add the richer `tasks` array, the plan id and what it deployed (`deployed`).
 */
import {
  FINAL_DEPLOYMENT_STATES,
  type Deployment,
  type DeployedRecord,
  type DeploymentTask,
} from '../model/deployment.js';
import { whatDeployed } from '../execute/deployed.js';
import type { BuildDecision, ComponentPlan, PlanTask } from '../model/plan.js';
import { creationTime } from './deploy-id.js';
import type { Static } from '@sinclair/typebox';
import type {
  BuildInfoJson,
  DeployedJson,
  DeploymentJsonT,
  DeploymentTaskJsonT,
  RunInfoJson,
} from '../model/wire/deployment-json.js';
import { upgradeDocument } from './domain.js';

type UpstreamBuildInfo = Static<typeof BuildInfoJson>;
type UpstreamRunInfo = Static<typeof RunInfoJson>;
type UpstreamDeployed = Static<typeof DeployedJson>;

/** The wire contract's deployment with the fields our server always sends (upstream's optional ones, ours). */
export type UpstreamDeployment = DeploymentJsonT &
  Required<
    Pick<
      DeploymentJsonT,
      | 'description'
      | 'tool_config'
      | 'status'
      | 'long_status'
      | 'force_build'
      | 'force_run'
      | 'plan_id'
      | 'tasks'
      | 'deployed'
    >
  >;

function deployedJson(record: DeployedRecord): Record<string, UpstreamDeployed> {
  const out: Record<string, UpstreamDeployed> = {};
  for (const [name, d] of Object.entries(record)) {
    out[name] = {
      ...(d.commit !== undefined ? { commit: d.commit } : {}),
      ...(d.buildId !== undefined ? { build_id: d.buildId } : {}),
      ...(d.image !== undefined ? { image: d.image } : {}),
    };
  }
  return out;
}

function buildLogsHint(id: string): string {
  return `You can see the logs with \`toolforge build logs ${id}\``;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function fromBuildTask(task: DeploymentTask): UpstreamBuildInfo {
  const id = task.externalId ?? 'no-id-yet';
  const image = str(task.result?.image);
  const withImage = (info: UpstreamBuildInfo): UpstreamBuildInfo =>
    image ? { ...info, build_image: image } : info;
  switch (task.state) {
    case 'pending':
    case 'waiting':
      return { build_id: id, build_status: 'pending', build_long_status: task.reason ?? 'Not started yet' };
    case 'running':
      return { build_id: id, build_status: 'running', build_long_status: task.reason ?? buildLogsHint(id) };
    case 'succeeded':
      return withImage({
        build_id: id,
        build_status: task.result?.reused === true ? 'skipped' : 'successful',
        build_long_status: task.result?.reused === true ? 'Reusing existing build' : buildLogsHint(id),
      });
    case 'failed':
      return { build_id: id, build_status: 'failed', build_long_status: task.reason ?? buildLogsHint(id) };
    case 'skipped':
      return { build_id: id, build_status: 'skipped', build_long_status: task.reason ?? 'Skipped' };
    case 'cancelled':
      return {
        build_id: id,
        build_status: 'cancelled',
        build_long_status: task.reason ?? 'The deployment was cancelled',
      };
  }
}

/** A component with no build task: what the plan decided instead. */
function fromBuildDecision(decision: BuildDecision | undefined): UpstreamBuildInfo {
  switch (decision?.kind) {
    case 'from-component':
      return {
        build_id: 'no-build-needed',
        build_status: 'skipped',
        build_long_status: `Component re-uses build from ${decision.component}`,
      };
    case 'shared-build':
      return {
        build_id: 'no-build-needed',
        build_status: 'skipped',
        build_long_status: `Component shares the build of ${decision.component}`,
      };
    case 'reuse-build':
      return {
        build_id: decision.buildId,
        build_status: 'skipped',
        build_long_status: 'Reusing existing build',
        ...(decision.image ? { build_image: decision.image } : {}),
      };
    case 'follow-build':
      return { build_id: decision.buildId, build_status: 'pending', build_long_status: 'Not started yet' };
    default:
      return { build_id: 'no-id-yet', build_status: 'pending', build_long_status: 'Not started yet' };
  }
}

/** `created or updated job web, [info](m1, m2)`: upstream's run long status, from the deploy task's result. */
function deployedText(task: DeploymentTask): string {
  const result = task.result ?? {};
  const action = str(result.action);
  let text =
    action === 'restarted'
      ? `restarted job ${task.component}`
      : result.changed === false
        ? `job ${task.component} is already up to date`
        : `created or updated job ${task.component}`;
  const messages = (result.messages ?? {}) as Partial<Record<'info' | 'warning' | 'error', unknown>>;
  for (const level of ['info', 'warning', 'error'] as const) {
    const list = messages[level];
    if (Array.isArray(list) && list.length > 0) text += `, [${level}](${list.join(', ')})`;
  }
  return task.reason && task.state !== 'succeeded' ? task.reason : text;
}

function fromDeployTask(task: DeploymentTask): UpstreamRunInfo {
  switch (task.state) {
    case 'pending':
      return { run_status: 'pending', ...(task.reason ? { run_long_status: task.reason } : {}) };
    case 'waiting':
      return {
        run_status: 'pending',
        run_long_status: task.reason ?? `waiting for ${task.waitingFor.join(', ')}`,
      };
    case 'running':
      return { run_status: 'pending', run_long_status: task.reason ?? `deploying job ${task.component}` };
    case 'succeeded':
      return { run_status: 'successful', run_long_status: deployedText(task) };
    case 'failed':
      return { run_status: 'failed', run_long_status: task.reason ?? 'failed' };
    case 'skipped':
      return { run_status: 'skipped', run_long_status: task.reason ?? 'Skipped due to previous failure' };
    case 'cancelled':
      return { run_status: 'skipped', run_long_status: task.reason ?? 'The deployment was cancelled' };
  }
}

/** A component the plan leaves untouched: nothing runs, so it is done once the deployment is. */
function unchangedRun(deployment: Deployment, plan: ComponentPlan): UpstreamRunInfo {
  const text = `job ${plan.name} is already up to date`;
  if (deployment.state === 'successful') return { run_status: 'successful', run_long_status: text };
  if (deployment.state === 'pending' || deployment.state === 'running')
    return { run_status: 'pending', run_long_status: text };
  return { run_status: 'skipped', run_long_status: text };
}

function toUpstreamTask(task: DeploymentTask, planned: PlanTask | undefined): DeploymentTaskJsonT {
  return {
    id: task.id,
    kind: task.kind,
    component: task.component,
    state: task.state,
    ...(task.reason !== undefined ? { reason: task.reason } : {}),
    attempts: task.attempts,
    waiting_for: [...task.waitingFor],
    depends_on: (planned?.dependsOn ?? []).map((d) => ({ task: d.task, condition: d.condition })),
    ...(task.externalId !== undefined ? { external_id: task.externalId } : {}),
    ...(task.startedAt !== undefined ? { started_at: task.startedAt } : {}),
    ...(task.finishedAt !== undefined ? { finished_at: task.finishedAt } : {}),
  };
}

export function toUpstreamDeployment(
  deployment: Deployment,
  tasks: readonly DeploymentTask[],
): UpstreamDeployment {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const builds: Record<string, UpstreamBuildInfo> = {};
  const runs: Record<string, UpstreamRunInfo> = {};
  const plans = new Map(deployment.plan.components.map((c) => [c.name, c]));
  const planned = new Map(deployment.plan.tasks.map((t) => [t.id, t]));
  for (const component of deployment.config.components) {
    const plan = plans.get(component.name);
    const buildTask = byId.get(`build:${component.name}`);
    builds[component.name] = buildTask ? fromBuildTask(buildTask) : fromBuildDecision(plan?.build);
    const deployTask = byId.get(`deploy:${component.name}`);
    runs[component.name] = deployTask
      ? fromDeployTask(deployTask)
      : plan
        ? unchangedRun(deployment, plan)
        : { run_status: 'pending' };
  }
  return {
    deploy_id: deployment.id,
    creation_time: creationTime(deployment.createdAt),
    description: deployment.description,
    builds,
    runs,
    // Snapshots taken before the v1beta2 upgrade existed read back upgraded, as upstream's do.
    tool_config: upgradeDocument(deployment.toolConfig),
    status: deployment.state,
    long_status: deployment.longStatus ?? '',
    force_build: deployment.forceBuild,
    force_run: deployment.forceRun,
    plan_id: deployment.plan.id,
    tasks: tasks.map((t) => toUpstreamTask(t, planned.get(t.id))),
    // A running deployment's record grows as its builds end: read it from the tasks until it is stored final.
    deployed: deployedJson(
      FINAL_DEPLOYMENT_STATES.includes(deployment.state) && deployment.deployed
        ? deployment.deployed
        : whatDeployed(deployment.plan, tasks),
    ),
    ...(deployment.plan.rollbackTo !== undefined ? { rollback_to: deployment.plan.rollbackTo } : {}),
  };
}

/** One line per component that did not end deployed: the body of a failed deployment's result. */
export function failureSummary(tasks: readonly DeploymentTask[]): string[] {
  return tasks
    .filter((t) => t.state === 'failed' || t.state === 'skipped' || t.state === 'cancelled')
    .map((t) => `${t.component}: ${t.kind} ${t.state}${t.reason ? ` (${t.reason})` : ''}`);
}
