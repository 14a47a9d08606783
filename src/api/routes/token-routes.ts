/**
 * `/v1/tool/{toolname}/deployment/token` (upstream §H). Deviation: the token is shown once, when created or
 * refreshed; we keep only its sha256, so GET and DELETE show its creation date and that it exists.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { envelope, fullMessages } from '../envelope.js';
import { apiError } from '../api-errors.js';
import { hashToken } from '../auth.js';
import type { StoredToken } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { ToolParams, responses } from '../schemas.js';

const HIDDEN_NOTE = 'The token itself is only shown when it is created or refreshed.';

/** ISO 8601 with a `Z` suffix, as upstream prints `creation_date`. */
function tokenView(stored: StoredToken, ctx: ApiContext, token?: string): Record<string, unknown> {
  const expires = new Date(Date.parse(stored.createdAt) + ctx.limits.tokenLifetimeMs).toISOString();
  return token !== undefined
    ? { token, creation_date: stored.createdAt, expiration_date: expires }
    : { token_exists: true, creation_date: stored.createdAt, expiration_date: expires };
}

async function issue(ctx: ApiContext, tool: string): Promise<Record<string, unknown>> {
  const token = randomUUID();
  const stored: StoredToken = { tool, hash: hashToken(token), createdAt: ctx.now().toISOString() };
  await ctx.store.putToken(stored);
  return tokenView(stored, ctx, token);
}

export const tokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const schema = (summary: string) => ({
    tags: ['tool'],
    summary,
    params: ToolParams,
    response: responses(),
  });

  app.get(
    '/v1/tool/:toolname/deployment/token',
    { schema: schema('Get Tool Deploy Token') },
    async (request) => {
      const tool = request.params.toolname;
      const stored = await ctx.store.getToken(tool);
      if (!stored) throw apiError('CMP_ERR_TOKEN_NOT_FOUND', tool);
      return envelope(tokenView(stored, ctx), fullMessages({ info: [HIDDEN_NOTE] }));
    },
  );

  app.post(
    '/v1/tool/:toolname/deployment/token',
    { schema: schema('Create Tool Deploy Token') },
    async (request) => {
      const tool = request.params.toolname;
      if (await ctx.store.getToken(tool)) throw apiError('CMP_ERR_TOKEN_EXISTS', tool);
      const data = await issue(ctx, tool);
      return envelope(data, fullMessages({ info: [`Deploy token for ${tool} created successfully.`] }));
    },
  );

  app.put(
    '/v1/tool/:toolname/deployment/token',
    { schema: schema('Update Tool Deploy Token') },
    async (request) => {
      const tool = request.params.toolname;
      if (!(await ctx.store.getToken(tool))) throw apiError('CMP_ERR_TOKEN_NOT_FOUND', tool);
      const data = await issue(ctx, tool);
      return envelope(data, fullMessages({ info: [`Deploy token for ${tool} updated successfully.`] }));
    },
  );

  app.delete(
    '/v1/tool/:toolname/deployment/token',
    { schema: schema('Delete Tool Deploy Token') },
    async (request) => {
      const tool = request.params.toolname;
      const removed = await ctx.store.deleteToken(tool);
      if (!removed) throw apiError('CMP_ERR_TOKEN_NOT_FOUND', tool);
      return envelope(
        tokenView(removed, ctx),
        fullMessages({ info: [`Deploy token for ${tool} deleted successfully.`] }),
      );
    },
  );
};
