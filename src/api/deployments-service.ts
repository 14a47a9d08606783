/**
 * The deployment operations several routes share: stale time-outs, look-ups that 404 in upstream's words,
 * computing a plan from the runtime's current state, creating a deployment (plan + tasks) and waiting for a
 * deployment to end (long-poll).
 */
import type { ToolConfig } from '../model/tool-config.js';
import { FINAL_DEPLOYMENT_STATES, type Deployment } from '../model/deployment.js';
import { tasksFromPlan } from '../execute/tasks-from-plan.js';
import { whatDeployed } from '../execute/deployed.js';
import type { Plan, PlanOptions } from '../model/plan.js';
import type { ObservedState } from '../model/observed-state.js';
import { ActiveDeploymentExistsError, type StoredConfig } from '../store/store.js';
import { RuntimeError } from '../runtimes/runtime.js';
import type { ApiContext } from './context.js';
import { apiError, validationError } from './api-errors.js';
import { InvalidDurationError, parseDuration } from '../duration.js';
import { newDeployId } from './deploy-id.js';
import { observeTool, planDeployment } from './domain.js';
import { fetchSourceConfig, needsSourceFetch } from './source-url.js';
import { toUpstreamDeployment, type UpstreamDeployment } from './upstream-deployment.js';

const EMPTY_CONFIG: ToolConfig = { dialect: 'v1beta1', components: [] };

/** Upstream's time-out rule: pending/running for more than an hour → `timed_out`. */
export async function expireStale(ctx: ApiContext, tool: string): Promise<void> {
  const cutoff = new Date(ctx.now().getTime() - ctx.limits.staleAfterMs).toISOString();
  // A timed-out deployment failed as far as its events go: each one expired here is reported once.
  if (ctx.store.expireStaleDeployments) {
    for (const expired of await ctx.store.expireStaleDeployments(tool, cutoff)) ctx.events.report(expired);
    return;
  }
  for (const d of await ctx.store.listDeployments(tool)) {
    if ((d.state === 'pending' || d.state === 'running') && d.createdAt < cutoff) {
      const expired = await ctx.store.updateDeployment(d.id, { state: 'timed_out' }, ['pending', 'running']);
      if (expired) ctx.events.report(expired);
    }
  }
}

export async function present(ctx: ApiContext, deployment: Deployment): Promise<UpstreamDeployment> {
  return toUpstreamDeployment(deployment, await ctx.store.listTasks(deployment.id));
}

export async function requireConfig(ctx: ApiContext, tool: string): Promise<StoredConfig> {
  const stored = await ctx.store.getConfig(tool);
  if (!stored) throw apiError('CMP_ERR_CONFIG_NOT_FOUND', tool);
  return stored;
}

/** Re-fetches the config from its source_url when it has one (upstream does so on every deploy). */
export async function refreshFromSource(
  ctx: ApiContext,
  tool: string,
  stored: StoredConfig,
): Promise<StoredConfig> {
  if (!needsSourceFetch(stored.config.sourceUrl)) return stored;
  const fetched = await fetchSourceConfig(stored.config.sourceUrl, ctx.limits);
  return ctx.store.putConfig(tool, fetched.raw, fetched.config);
}

/** Would upstream's time-out rule turn this deployment into `timed_out` now? */
export function isStale(ctx: ApiContext, deployment: Deployment): boolean {
  return (
    (deployment.state === 'pending' || deployment.state === 'running') &&
    Date.parse(deployment.createdAt) < ctx.now().getTime() - ctx.limits.staleAfterMs
  );
}

/**
 * `latest` → the newest deployment; anything else is looked up as an id. 404s in upstream's words. Reads do
 * not write: only when the deployment found is stale are the tool's stale deployments timed out (and it is
 * read again), so the common GET stays a pure read.
 */
export async function findDeployment(
  ctx: ApiContext,
  tool: string,
  id: string,
  latest: boolean,
): Promise<Deployment> {
  const read = (): Promise<Deployment | undefined> =>
    latest && id === 'latest' ? ctx.store.latestDeployment(tool) : ctx.store.getDeployment(tool, id);
  let found = await read();
  if (found && isStale(ctx, found)) {
    await expireStale(ctx, tool);
    found = (await read()) ?? found;
  }
  if (!found) {
    throw latest && id === 'latest'
      ? apiError('CMP_ERR_NO_DEPLOYMENTS', tool)
      : apiError('CMP_ERR_DEPLOYMENT_NOT_FOUND', id, tool);
  }
  return found;
}

/**
 * What a caller of `computePlan` may know already, so that it is not worked out again. The values must be what
 * would be worked out now: the only-plan route gives them from its caches (tool-cache.ts, config-input-cache.ts).
 */
export interface KnownPlanInputs {
  /** The tool's managed components (`store.managedComponents`). */
  readonly managed?: readonly string[];
  /** `configDigest(config)`. */
  readonly configDigest?: string;
}

export async function observe(
  ctx: ApiContext,
  tool: string,
  config: ToolConfig | undefined,
  known: KnownPlanInputs = {},
): Promise<ObservedState> {
  try {
    const managed = known.managed ?? (await ctx.store.managedComponents(tool));
    return await observeTool(ctx.runtime, tool, config ?? EMPTY_CONFIG, managed);
  } catch (error) {
    if (error instanceof RuntimeError) throw apiError('CMP_ERR_RUNTIME', error.message);
    throw error;
  }
}

export async function computePlan(
  ctx: ApiContext,
  tool: string,
  config: ToolConfig,
  options: PlanOptions,
  known: KnownPlanInputs = {},
): Promise<Plan> {
  const observed = await observe(ctx, tool, config, known);
  // Only the plan options: callers pass richer objects, which must not change the plan (or its id).
  const planOptions: PlanOptions = {
    forceBuild: options.forceBuild,
    forceRun: options.forceRun,
    prune: options.prune,
    ...(options.only ? { only: options.only } : {}),
    ...(options.pinnedCommits ? { pinnedCommits: options.pinnedCommits } : {}),
    ...(options.rollbackTo !== undefined ? { rollbackTo: options.rollbackTo } : {}),
  };
  return planDeployment(
    config,
    observed,
    planOptions,
    known.configDigest !== undefined ? { configDigest: known.configDigest } : {},
  );
}

export interface CreateOptions extends PlanOptions {
  readonly description: string;
  /** Who asks (the gateway's `x-toolforge-user` header), kept on the deployment for its events. */
  readonly user?: string;
  /** Refuse with 409 when the freshly computed plan differs from this one. */
  readonly planId?: string;
  /** Explains a stale plan id: what the plan it names looked like, when this server computed it. */
  readonly explainStale?: (planId: string, current: Plan) => string;
  /** The request's `timeout` (a duration text): deadline of each wait for health in this deployment. */
  readonly timeout?: string;
}

/** `?timeout=` as milliseconds, or a 422 naming the parameter. */
function waitTimeout(text: string | undefined): { waitTimeoutMs?: number } {
  if (text === undefined) return {};
  try {
    return { waitTimeoutMs: parseDuration(text, 'timeout') };
  } catch (error) {
    if (error instanceof InvalidDurationError)
      throw validationError([{ loc: 'timeout', message: error.message }]);
    throw error;
  }
}

export async function createDeployment(
  ctx: ApiContext,
  tool: string,
  stored: StoredConfig,
  options: CreateOptions,
): Promise<{ deployment: Deployment; plan: Plan }> {
  const deadline = waitTimeout(options.timeout); // a bad value is refused before anything is looked at
  await expireStale(ctx, tool);
  // Cheap pre-check so a refused request does not cost a runtime round-trip; the database still decides.
  const latest = await ctx.store.latestDeployment(tool);
  if (latest && (latest.state === 'pending' || latest.state === 'running')) {
    throw apiError('CMP_ERR_DEPLOYMENT_ACTIVE', latest.id, latest.state, latest.createdAt);
  }
  const plan = await computePlan(ctx, tool, stored.config, options);
  if (options.planId !== undefined && options.planId !== plan.id) {
    const explain = options.explainStale?.(options.planId, plan) ?? `the current plan is ${plan.id}`;
    throw apiError('CMP_ERR_STALE_PLAN', options.planId, explain);
  }
  const now = ctx.now();
  const deployment: Deployment = {
    id: newDeployId(now),
    tool,
    createdAt: now.toISOString(),
    description: options.description,
    forceBuild: options.forceBuild,
    forceRun: options.forceRun,
    prune: options.prune,
    state: 'pending',
    toolConfig: stored.raw,
    config: stored.config,
    plan,
    ...(options.user !== undefined ? { requestedBy: options.user } : {}),
    ...deadline,
    // What is known before anything runs (reused builds); the executor completes it when the deployment ends.
    deployed: whatDeployed(plan, []),
  };
  try {
    await ctx.store.createDeployment(
      deployment,
      tasksFromPlan(deployment.id, plan),
      ctx.limits.retainDeployments,
    );
  } catch (error) {
    if (error instanceof ActiveDeploymentExistsError) {
      throw apiError(
        'CMP_ERR_DEPLOYMENT_ACTIVE',
        error.active.id,
        error.active.state,
        error.active.createdAt,
      );
    }
    throw error;
  }
  await ctx.store.appendEvent({
    deploymentId: deployment.id,
    at: deployment.createdAt,
    type: 'deployment',
    state: 'pending',
  });
  ctx.events.report(deployment);
  ctx.scheduler?.notify(deployment.id);
  return { deployment, plan };
}

export function isFinal(deployment: Deployment): boolean {
  return FINAL_DEPLOYMENT_STATES.includes(deployment.state);
}

/**
 * Long-poll: re-reads the deployment until it is final, `seconds` elapse or the client goes away. Polling the
 * store (rather than an in-process signal) works across replicas: the executor may run on another one.
 */
export async function waitForFinal(
  ctx: ApiContext,
  tool: string,
  deployment: Deployment,
  seconds: number | undefined,
  signal: AbortSignal,
): Promise<Deployment> {
  const wait = Math.min(Math.max(seconds ?? 0, 0), ctx.limits.maxWaitSeconds);
  const deadline = Date.now() + wait * 1000;
  let current = deployment;
  while (!isFinal(current) && Date.now() < deadline && !signal.aborted) {
    await sleep(Math.min(ctx.limits.pollIntervalMs, deadline - Date.now()), signal);
    current = await findDeployment(ctx, tool, deployment.id, false).catch(() => current);
  }
  return current;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(ms, 0));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
