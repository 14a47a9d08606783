/**
 * `POST /v1/tool/{t}/deploy?only-plan=true`: the plan for the body's config (or the stored one) against what
 * runs now; nothing is changed. Clients poll it, so it reads through the caches: the body's reading and its
 * config digest (config-input-cache.ts), the stored config and the managed components (tool-cache.ts). What runs
 * is observed anew every time: the runtime changes without any write of ours (builds end, jobs restart).
 */
import type { Plan, PlanOptions } from '../model/plan.js';
import { Envelope } from '../model/wire/envelope.js';
import { PlanJson } from '../model/wire/plan-json.js';
import type { ToolConfig } from '../model/tool-config.js';
import { configDigest } from '../plan/digest.js';
import type { StoredConfig } from '../store/store.js';
import { apiError } from './api-errors.js';
import type { CachedDeployInput } from './config-input-cache.js';
import type { ApiContext } from './context.js';
import { computePlan } from './deployments-service.js';
import { fetchSourceConfig, needsSourceFetch } from './source-url.js';

/**
 * The only-plan answer's own schema, a member of the deploy route's answer (the plan, or the deployment with its
 * plan). fast-json-stringify picks a union's member by validating the answer against each in turn, which cost
 * about 60 µs for the toolhunt example's plan, more than planning it; an only-plan answer is always the plan, so
 * the route serializes it by that member (the same text, without the search).
 */
export const OnlyPlanAnswerJson = Envelope(PlanJson);

export interface OnlyPlan {
  readonly plan: Plan;
  /** The config's own warnings (unknown fields, …); the plan's are in `plan.warnings`. */
  readonly warnings: readonly string[];
}

/**
 * Digests of cached stored configs. The tool cache hands out the same frozen object until the config changes, so
 * the object identifies its digest; a replaced config is a new object, and the old entry goes with it.
 */
const storedDigests = new WeakMap<StoredConfig, string>();

function storedDigest(stored: StoredConfig): string {
  let digest = storedDigests.get(stored);
  if (digest === undefined) {
    digest = configDigest(stored.config);
    storedDigests.set(stored, digest);
  }
  return digest;
}

interface PlanSource {
  readonly config: ToolConfig;
  readonly digest?: string;
  readonly warnings: readonly string[];
}

async function planSource(ctx: ApiContext, tool: string, input: CachedDeployInput): Promise<PlanSource> {
  const loaded = input.loaded;
  if (loaded && needsSourceFetch(loaded.config.sourceUrl)) {
    // The document at the source URL replaces the body's config (upstream fetches it on every deploy).
    const fetched = await fetchSourceConfig(loaded.config.sourceUrl, ctx.limits);
    return { config: fetched.config, warnings: [...loaded.warnings, ...fetched.warnings] };
  }
  if (loaded) {
    return {
      config: loaded.config,
      warnings: loaded.warnings,
      ...(input.configDigest !== undefined ? { digest: input.configDigest } : {}),
    };
  }
  const stored = await ctx.tools.config(tool);
  if (!stored) throw apiError('CMP_ERR_CONFIG_NOT_FOUND', tool);
  return { config: stored.config, digest: storedDigest(stored), warnings: [] };
}

export async function planOnly(
  ctx: ApiContext,
  tool: string,
  input: CachedDeployInput,
  options: PlanOptions,
): Promise<OnlyPlan> {
  const source = await planSource(ctx, tool, input);
  const managed = await ctx.tools.managedComponents(tool);
  const plan = await computePlan(ctx, tool, source.config, options, {
    managed,
    ...(source.digest !== undefined ? { configDigest: source.digest } : {}),
  });
  return { plan, warnings: source.warnings };
}
