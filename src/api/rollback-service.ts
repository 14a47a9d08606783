/**
 * Rollback (issue 13): deploy again exactly what an earlier successful deployment deployed — its config
 * snapshot, with each build pinned to the commit it resolved (decide-builds.ts reuses that build while its image
 * exists, else builds the commit). The rollback itself is an ordinary deployment: plan, DAG, events, result.
 */
import type { Deployment } from '../model/deployment.js';
import { whatDeployed } from '../execute/deployed.js';
import type { DeployedRecord } from '../model/deployment.js';
import type { Plan, PlanOptions } from '../model/plan.js';
import type { StoredConfig } from '../store/store.js';
import type { ApiContext } from './context.js';
import { apiError } from './api-errors.js';
import { computePlan, createDeployment, findDeployment } from './deployments-service.js';

/**
 * The deployment to go back to: `id` when given (it must have succeeded), else the newest successful
 * deployment before the latest one (the latest is what runs now, or what just failed).
 */
export async function findRollbackTarget(
  ctx: ApiContext,
  tool: string,
  id: string | undefined,
): Promise<Deployment> {
  if (id !== undefined) {
    const found = await findDeployment(ctx, tool, id, false);
    if (found.state !== 'successful')
      throw apiError('CMP_ERR_ROLLBACK_NOT_SUCCESSFUL', found.id, found.state);
    return found;
  }
  const history = await ctx.store.listDeployments(tool); // oldest first
  const earlier = history.slice(0, -1).reverse();
  const target = earlier.find((d) => d.state === 'successful');
  if (!target) throw apiError('CMP_ERR_NO_ROLLBACK_TARGET', tool);
  return target;
}

/** What the target deployed; deployments stored before the record existed have it rebuilt from their tasks. */
async function deployedBy(ctx: ApiContext, target: Deployment): Promise<DeployedRecord> {
  return target.deployed ?? whatDeployed(target.plan, await ctx.store.listTasks(target.id));
}

/** Component → commit, for every component of the snapshot that builds from source and recorded its commit. */
export function pinnedCommitsOf(target: Deployment, deployed: DeployedRecord): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const component of target.config.components) {
    const commit = deployed[component.name]?.commit;
    if (component.build.kind === 'source' && commit !== undefined) pins[component.name] = commit;
  }
  return pins;
}

/**
 * Source components of the snapshot with no recorded commit (the target never finished that build, or was
 * stored before records existed and its task kept none): they are planned at their ref's current commit,
 * which the answer says, since that is not exactly what the target deployed.
 */
export function unpinnedWarnings(target: Deployment, pins: Readonly<Record<string, string>>): string[] {
  return target.config.components
    .filter((c) => c.build.kind === 'source' && pins[c.name] === undefined)
    .map(
      (c) =>
        `no commit was recorded for ${c.name} in deployment ${target.id}: it is planned at its ref's current commit`,
    );
}

async function rollbackOptions(ctx: ApiContext, target: Deployment): Promise<PlanOptions> {
  return {
    forceBuild: false,
    forceRun: false,
    // What the target did with orphans: a rollback repeats that deployment, it does not decide anew.
    prune: target.prune,
    pinnedCommits: pinnedCommitsOf(target, await deployedBy(ctx, target)),
    rollbackTo: target.id,
  };
}

/** The rollback's plan, and what it cannot pin. */
export async function planRollback(
  ctx: ApiContext,
  tool: string,
  target: Deployment,
): Promise<{ plan: Plan; warnings: string[] }> {
  const options = await rollbackOptions(ctx, target);
  const plan = await computePlan(ctx, tool, target.config, options);
  return { plan, warnings: unpinnedWarnings(target, options.pinnedCommits ?? {}) };
}

export function rollbackDescription(targetId: string, description: string): string {
  return description === '' ? `Rollback to ${targetId}` : `Rollback to ${targetId}: ${description}`;
}

export interface RollbackRequest {
  readonly description: string;
  readonly user?: string;
  readonly timeout?: string;
}

/**
 * Creates the rollback deployment, then makes the target's snapshot the stored config. In that order: a
 * refused rollback (another deployment is active) must leave the stored config alone. The snapshot is deployed
 * as it was, never re-fetched from its `source_url`.
 */
export async function startRollback(
  ctx: ApiContext,
  tool: string,
  target: Deployment,
  request: RollbackRequest,
): Promise<{ deployment: Deployment; plan: Plan; warnings: string[] }> {
  const options = await rollbackOptions(ctx, target);
  const snapshot: StoredConfig = {
    tool,
    raw: target.toolConfig ?? null,
    config: target.config,
    updatedAt: target.createdAt,
    revision: 0,
  };
  const created = await createDeployment(ctx, tool, snapshot, {
    ...options,
    description: rollbackDescription(target.id, request.description),
    ...(request.user !== undefined ? { user: request.user } : {}),
    ...(request.timeout !== undefined ? { timeout: request.timeout } : {}),
  });
  await ctx.store.putConfig(tool, target.toolConfig ?? null, target.config);
  return { ...created, warnings: unpinnedWarnings(target, options.pinnedCommits ?? {}) };
}
