/**
 * The deployment-plan routes: GET /v1/tool/{t}/status (what runs now, mapped to the config) and
 * POST /v1/tool/{t}/deploy (`?only-plan=true` → the plan, nothing changes; otherwise store the config, create
 * the deployment with its plan and tasks, and hand it to the executor).
 */
import { planToJson } from '../../plan/render-json.js';
import { requestUser } from '../auth.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { envelope } from '../envelope.js';
import { apiError } from '../api-errors.js';
import type { LoadedConfig } from '../config-input.js';
import { DeployInputCache, readDeployInput } from '../config-input-cache.js';
import { OnlyPlanAnswerJson, planOnly } from '../only-plan.js';
import { fetchSourceConfig, needsSourceFetch } from '../source-url.js';
import {
  computePlan,
  createDeployment,
  observe,
  present,
  requireConfig,
  waitForFinal,
} from '../deployments-service.js';
import { describeToolStatus } from '../domain.js';
import {
  deployedConfigState,
  hasUndeployedChanges,
  lastSuccessfulDeployment,
} from '../../status/undeployed.js';
import { PlanCache } from '../plan-cache.js';
import { DeployQuery, ToolParams, responses } from '../schemas.js';
import type { ApiContext } from '../context.js';
import { requestSignal } from '../request-signal.js';
import type { StoredConfig } from '../../store/store.js';
import type { ToolConfig } from '../../model/tool-config.js';
import { DeployAnswerJson } from '../../model/wire/deployment-json.js';
import { ToolStatusJson } from '../../model/wire/tool-status-json.js';

async function withSource(ctx: ApiContext, loaded: LoadedConfig): Promise<LoadedConfig> {
  if (!needsSourceFetch(loaded.config.sourceUrl)) return loaded;
  const fetched = await fetchSourceConfig(loaded.config.sourceUrl, ctx.limits);
  return { ...fetched, warnings: [...loaded.warnings, ...fetched.warnings] };
}

export const planRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const plans = new PlanCache();
  const inputs = new DeployInputCache(ctx.limits);

  app.get(
    '/v1/tool/:toolname/status',
    {
      schema: {
        tags: ['plan'],
        summary: 'Get Tool Status',
        description:
          "The tool's builds and jobs mapped to its config: managed, drifted, unmanaged, orphaned.",
        params: ToolParams,
        response: responses(ToolStatusJson),
      },
    },
    async (request) => {
      const tool = request.params.toolname;
      const [stored, history] = await Promise.all([
        ctx.store.getConfig(tool),
        ctx.store.listDeployments(tool),
      ]);
      const config: ToolConfig = stored?.config ?? { dialect: 'v1beta1', components: [] };
      const observed = await observe(ctx, tool, config);
      // Ours: whether the stored config is what the last successful deployment deployed (issue 13).
      const deployed = deployedConfigState(stored?.config, lastSuccessfulDeployment(history));
      return envelope(
        {
          ...describeToolStatus(config, observed),
          undeployedChanges: hasUndeployedChanges(deployed),
          ...('deployment' in deployed ? { lastSuccessfulDeployment: deployed.deployment } : {}),
        },
        {},
      );
    },
  );

  app.post(
    '/v1/tool/:toolname/deploy',
    {
      schema: {
        tags: ['plan'],
        summary: 'Plan And Deploy',
        description:
          'Body: a config (JSON or YAML, either dialect) or empty for the stored one; optional `plan_id`. With `only-plan=true` returns the plan and changes nothing.',
        params: ToolParams,
        querystring: DeployQuery,
        response: responses(DeployAnswerJson),
      },
    },
    async (request, reply) => {
      const tool = request.params.toolname;
      const query = request.query;
      const options = { forceBuild: query['force-build'], forceRun: query['force-run'], prune: query.prune };
      const contentType = request.headers['content-type'];
      if (query['only-plan']) {
        const only = query.only
          ?.split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
        const body = inputs.read(request.rawBody ?? '', contentType);
        const planOptions = { ...options, ...(only && only.length > 0 ? { only } : {}) };
        const { plan, warnings } = await planOnly(ctx, tool, body, planOptions);
        plans.remember(plan);
        reply.serializer(reply.compileSerializationSchema(OnlyPlanAnswerJson)); // see OnlyPlanAnswerJson
        return envelope(planToJson(plan), {
          info: ['Plan only: nothing was changed.'],
          warning: [...warnings, ...plan.warnings],
        });
      }
      // A deployment reads the body and the store afresh: it must act on the database as it is now.
      const input = readDeployInput(request.rawBody ?? '', contentType, ctx.limits);
      const loaded = input.loaded ? await withSource(ctx, input.loaded) : undefined;
      const warnings = loaded?.warnings ?? [];
      const planId = query['plan-id'] ?? input.planId;
      if (loaded && planId !== undefined) {
        // Refuse a stale plan before the new config replaces the stored one.
        const current = await computePlan(ctx, tool, loaded.config, options);
        if (current.id !== planId)
          throw apiError('CMP_ERR_STALE_PLAN', planId, plans.explain(planId, current));
      }
      let stored: StoredConfig;
      if (loaded) stored = await ctx.store.putConfig(tool, loaded.raw, loaded.config);
      else stored = await requireConfig(ctx, tool);
      if (!loaded && needsSourceFetch(stored.config.sourceUrl)) {
        const fetched = await fetchSourceConfig(stored.config.sourceUrl, ctx.limits);
        stored = await ctx.store.putConfig(tool, fetched.raw, fetched.config);
      }
      const { deployment, plan } = await createDeployment(ctx, tool, stored, {
        ...options,
        description: query.description ?? '',
        ...requestUser(request),
        ...(planId !== undefined ? { planId } : {}),
        ...(query.timeout !== undefined ? { timeout: query.timeout } : {}),
        explainStale: (id, current) => plans.explain(id, current),
      });
      plans.remember(plan);
      const final = await waitForFinal(ctx, tool, deployment, query.wait, requestSignal(request, reply, ctx));
      return envelope(
        { ...(await present(ctx, final)), plan: planToJson(plan) },
        { info: [`Deployment for ${tool} created successfully.`], warning: [...warnings, ...plan.warnings] },
      );
    },
  );
};
