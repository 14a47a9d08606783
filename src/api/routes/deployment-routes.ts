/**
 * `/v1/tool/{toolname}/deployment…` (docs/upstream-compat.md#deployments) plus long-poll (`?wait=`) and `…/{id}/result`, the
 * CI-friendly outcome: 200 successful, 429 + Retry-After while it runs, 409 with the failures once it ended.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ApiError, API_ERRORS, apiError, validationError } from '../api-errors.js';
import { envelope } from '../envelope.js';
import { parseJsonBody } from '../config-input.js';
import { receivedSuffix } from '../received-value.js';
import {
  createDeployment,
  expireStale,
  findDeployment,
  isFinal,
  isStale,
  present,
  refreshFromSource,
  requireConfig,
  waitForFinal,
} from '../deployments-service.js';
import { failureSummary, toUpstreamDeployment } from '../upstream-deployment.js';
import {
  CreateDeploymentQuery,
  DeploymentParams,
  GetDeploymentQuery,
  RollbackQuery,
  ToolParams,
  responses,
  type RollbackQueryT,
} from '../schemas.js';
import { findRollbackTarget, planRollback, startRollback } from '../rollback-service.js';
import { planToJson } from '../../plan/render-json.js';
import type { FastifyReply } from 'fastify';
import type { ApiContext } from '../context.js';
import { requestSignal } from '../request-signal.js';
import { requestUser } from '../auth.js';
import { DeployAnswerJson, DeploymentJson, DeploymentListJson } from '../../model/wire/deployment-json.js';
import { ErrorEnvelope } from '../../model/wire/envelope.js';

const RETRY_AFTER_SECONDS = 5;

/** Upstream's optional `{"description": "…"}` body (JSON null or no body = ""). */
function readDescription(request: FastifyRequest, ctx: ApiContext): string {
  const text = request.rawBody ?? '';
  if (text.trim() === '') return '';
  const body = parseJsonBody(text);
  if (body === null) return '';
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw validationError([
      {
        loc: '',
        message: `Input should be a valid dictionary or object to extract fields from${receivedSuffix(body)}`,
      },
    ]);
  }
  const description = (body as { description?: unknown }).description;
  if (description === undefined) return '';
  if (typeof description !== 'string') {
    throw validationError([
      { loc: 'description', message: `Input should be a valid string${receivedSuffix(description)}` },
    ]);
  }
  if (description.length > ctx.limits.maxStringLength) {
    throw validationError([
      { loc: 'description', message: `String should have at most ${ctx.limits.maxStringLength} characters` },
    ]);
  }
  return description;
}

export const deploymentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  app.get(
    '/v1/tool/:toolname/deployment',
    {
      schema: {
        tags: ['tool'],
        summary: 'List Tool Deployments',
        params: ToolParams,
        response: responses(DeploymentListJson),
      },
    },
    async (request) => {
      const tool = request.params.toolname;
      let deployments = await ctx.store.listDeployments(tool);
      if (deployments.some((d) => isStale(ctx, d))) {
        await expireStale(ctx, tool);
        deployments = await ctx.store.listDeployments(tool);
      }
      return envelope({ deployments: await Promise.all(deployments.map((d) => present(ctx, d))) }, {});
    },
  );

  app.post(
    '/v1/tool/:toolname/deployment',
    {
      config: { auth: 'header-or-token' },
      schema: {
        tags: ['tool'],
        summary: 'Create Tool Deployment',
        description: 'Creates a deployment of the stored config (plan + tasks); the executor runs it.',
        params: ToolParams,
        querystring: CreateDeploymentQuery,
        response: responses(DeploymentJson),
      },
    },
    async (request, reply) => {
      const tool = request.params.toolname;
      const description = readDescription(request, ctx);
      const stored = await refreshFromSource(ctx, tool, await requireConfig(ctx, tool));
      const { deployment } = await createDeployment(ctx, tool, stored, {
        description,
        forceBuild: request.query['force-build'],
        forceRun: request.query['force-run'],
        prune: request.query.prune,
        ...requestUser(request),
        ...(request.query.timeout !== undefined ? { timeout: request.query.timeout } : {}),
      });
      const final = await waitForFinal(
        ctx,
        tool,
        deployment,
        request.query.wait,
        requestSignal(request, reply, ctx),
      );
      return envelope(await present(ctx, final), { info: [`Deployment for ${tool} created successfully.`] });
    },
  );

  app.get(
    '/v1/tool/:toolname/deployment/latest',
    {
      schema: {
        tags: ['tool'],
        summary: 'Get Latest Deployment',
        params: ToolParams,
        response: responses(DeploymentJson),
      },
    },
    async (request) => {
      const found = await findDeployment(ctx, request.params.toolname, 'latest', true);
      return envelope(await present(ctx, found), {});
    },
  );

  app.get(
    '/v1/tool/:toolname/deployment/:deployment_id',
    {
      config: { auth: 'header-or-token' },
      schema: {
        tags: ['tool'],
        summary: 'Get Tool Deployment',
        params: DeploymentParams,
        querystring: GetDeploymentQuery,
        response: responses(DeploymentJson),
      },
    },
    async (request, reply) => {
      const tool = request.params.toolname;
      const found = await findDeployment(ctx, tool, request.params.deployment_id, false);
      const final = await waitForFinal(
        ctx,
        tool,
        found,
        request.query.wait,
        requestSignal(request, reply, ctx),
      );
      return envelope(await present(ctx, final), {});
    },
  );

  app.get(
    '/v1/tool/:toolname/deployment/:deployment_id/result',
    {
      config: { auth: 'header-or-token' },
      schema: {
        tags: ['tool'],
        summary: 'Get Tool Deployment Result',
        description:
          '200 when the deployment succeeded, 429 with Retry-After while it is pending/running/cancelling, 409 with the per-component failures when it failed, was cancelled or timed out. `curl --fail --retry` is a complete wait loop.',
        params: DeploymentParams,
        querystring: GetDeploymentQuery,
        response: { ...responses(DeploymentJson), 409: ErrorEnvelope, 429: ErrorEnvelope },
      },
    },
    async (request, reply) => {
      const tool = request.params.toolname;
      const id = request.params.deployment_id;
      let found = await findDeployment(ctx, tool, id, true);
      found = await waitForFinal(ctx, tool, found, request.query.wait, requestSignal(request, reply, ctx));
      if (found.state === 'successful') return envelope(await present(ctx, found), {});
      if (!isFinal(found)) {
        throw new ApiError(
          'CMP_ERR_DEPLOYMENT_IN_PROGRESS',
          [API_ERRORS.CMP_ERR_DEPLOYMENT_IN_PROGRESS.message(found.id, found.state)],
          {
            'retry-after': String(RETRY_AFTER_SECONDS),
          },
        );
      }
      const failures = failureSummary(await ctx.store.listTasks(found.id));
      const summary = failures.length > 0 ? failures.join('; ') : (found.longStatus ?? found.state);
      throw new ApiError('CMP_ERR_DEPLOYMENT_UNSUCCESSFUL', [
        API_ERRORS.CMP_ERR_DEPLOYMENT_UNSUCCESSFUL.message(found.id, found.state, summary),
        ...failures,
      ]);
    },
  );

  app.delete(
    '/v1/tool/:toolname/deployment/:deployment_id',
    {
      schema: {
        tags: ['tool'],
        summary: 'Delete Tool Deployment',
        params: DeploymentParams,
        response: responses(DeploymentJson),
      },
    },
    async (request) => {
      const tool = request.params.toolname;
      const id = request.params.deployment_id;
      await expireStale(ctx, tool);
      const tasks = await ctx.store.listTasks(id);
      const removed = await ctx.store.deleteDeployment(tool, id);
      if (!removed) throw apiError('CMP_ERR_DEPLOYMENT_NOT_FOUND', id, tool);
      return envelope(toUpstreamDeployment(removed, tasks), {
        info: [`Deployment ${id} deleted successfully.`],
      });
    },
  );

  /** `deployment rollback [ID]`: the plan (`only-plan`) or a new deployment of the target's snapshot. */
  const rollback = async (
    request: FastifyRequest,
    reply: FastifyReply,
    query: RollbackQueryT,
    tool: string,
    id: string | undefined,
  ) => {
    const target = await findRollbackTarget(ctx, tool, id);
    if (query['only-plan']) {
      const { plan, warnings } = await planRollback(ctx, tool, target);
      return envelope(planToJson(plan), {
        info: [`Plan only: nothing was changed. Rollback to ${target.id}.`],
        warning: [...warnings, ...plan.warnings],
      });
    }
    const description = readDescription(request, ctx);
    const { deployment, plan, warnings } = await startRollback(ctx, tool, target, {
      description,
      ...requestUser(request),
      ...(query.timeout !== undefined ? { timeout: query.timeout } : {}),
    });
    const final = await waitForFinal(ctx, tool, deployment, query.wait, requestSignal(request, reply, ctx));
    return envelope(
      { ...(await present(ctx, final)), plan: planToJson(plan) },
      {
        info: [`Deployment for ${tool} created successfully.`, `Rolling back to deployment ${target.id}.`],
        warning: [...warnings, ...plan.warnings],
      },
    );
  };

  const rollbackDescription =
    'Deploys again what an earlier successful deployment deployed: its config snapshot (which becomes the stored config) and the commits its builds resolved, reusing those builds while their images exist. `only-plan=true` returns the plan. 409 when the deployment did not succeed or another deployment is active.';

  app.post(
    '/v1/tool/:toolname/deployment/rollback',
    {
      config: { auth: 'header-or-token' },
      schema: {
        tags: ['tool'],
        summary: 'Roll Back To The Previous Successful Deployment',
        description: `${rollbackDescription} Without an id: the newest successful deployment before the latest one (404 when there is none).`,
        params: ToolParams,
        querystring: RollbackQuery,
        response: responses(DeployAnswerJson),
      },
    },
    async (request, reply) => rollback(request, reply, request.query, request.params.toolname, undefined),
  );

  app.post(
    '/v1/tool/:toolname/deployment/:deployment_id/rollback',
    {
      config: { auth: 'header-or-token' },
      schema: {
        tags: ['tool'],
        summary: 'Roll Back To A Deployment',
        description: rollbackDescription,
        params: DeploymentParams,
        querystring: RollbackQuery,
        response: responses(DeployAnswerJson),
      },
    },
    async (request, reply) =>
      rollback(request, reply, request.query, request.params.toolname, request.params.deployment_id),
  );

  const cancel = async (tool: string, id: string) => {
    const found = await findDeployment(ctx, tool, id, true);
    if (found.state !== 'pending' && found.state !== 'running')
      throw apiError('CMP_ERR_NOT_CANCELLABLE', found.state);
    const flagged = await ctx.store.updateDeployment(found.id, { state: 'cancelling' }, [
      'pending',
      'running',
    ]);
    if (!flagged) {
      const now = await ctx.store.getDeployment(tool, found.id);
      throw apiError('CMP_ERR_NOT_CANCELLABLE', now?.state ?? 'unknown');
    }
    await ctx.store.appendEvent({
      deploymentId: found.id,
      at: ctx.now().toISOString(),
      type: 'deployment',
      state: 'cancelling',
    });
    // Only the executor moves cancelling → cancelled, after stopping what runs (upstream semantics).
    ctx.scheduler?.notify(found.id);
    return envelope(await present(ctx, flagged), {
      info: ['Deployment flagged for cancellation, might take a moment to cancel.'],
    });
  };

  app.put(
    '/v1/tool/:toolname/deployment/latest/cancel',
    {
      schema: {
        tags: ['tool'],
        summary: 'Cancel Latest Tool Deployment',
        params: ToolParams,
        response: responses(DeploymentJson),
      },
    },
    async (request) => cancel(request.params.toolname, 'latest'),
  );

  app.put(
    '/v1/tool/:toolname/deployment/:deployment_id/cancel',
    {
      schema: {
        tags: ['tool'],
        summary: 'Cancel Tool Deployment',
        params: DeploymentParams,
        response: responses(DeploymentJson),
      },
    },
    async (request) => cancel(request.params.toolname, request.params.deployment_id),
  );
};
