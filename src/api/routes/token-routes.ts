/**
 * `/v1/tool/{toolname}/deployment/token` (docs/upstream-compat.md#deploy-tokens). As upstream, every route shows the token: it is kept
 * sealed with the server's token key (src/api/token-keyring.ts) next to the sha256 requests are compared with.
 * A token that cannot be opened (stored before tokens were encrypted, or sealed with a key this server was not
 * given) is answered without its `token` field and with a warning that says why and what to do.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { envelope, fullMessages, type Envelope } from '../envelope.js';
import { apiError } from '../api-errors.js';
import { hashToken } from '../auth.js';
import type { StoredToken } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { ToolParams, responses } from '../schemas.js';
import { DeployTokenJson, type DeployTokenJsonT } from '../../model/wire/small-answers.js';

interface TokenView {
  readonly data: DeployTokenJsonT;
  /** Why the token is not shown, when it is not. */
  readonly warning?: string;
}

function refreshHint(tool: string): string {
  return `run 'toolforge components deploy-token refresh' (PUT /v1/tool/${tool}/deployment/token) to replace it with one that can be shown`;
}

/** Why a stored token cannot be shown, or its plain text. */
function reveal(ctx: ApiContext, stored: StoredToken): { token: string } | { warning: string } {
  if (stored.secret === undefined) {
    return {
      warning: `The deploy token of ${stored.tool} was created before tokens were kept encrypted, so it cannot be shown (it still works); ${refreshHint(stored.tool)}.`,
    };
  }
  const opened = ctx.tokenKeys.open(stored.tool, stored.secret);
  if (opened.ok) return { token: opened.token };
  if (opened.reason === 'unknown-key') {
    return {
      warning: `The deploy token of ${stored.tool} was encrypted with a token key this server does not have (key id ${opened.keyId ?? '?'}), so it cannot be shown (it still works); give the server that key (serve --previous-token-key-file) or ${refreshHint(stored.tool)}.`,
    };
  }
  return {
    warning: `The stored deploy token of ${stored.tool} cannot be decrypted (damaged), so it cannot be shown; ${refreshHint(stored.tool)}.`,
  };
}

/** ISO 8601 with a `Z` suffix, as upstream prints `creation_date`. */
function tokenView(ctx: ApiContext, stored: StoredToken, token?: string): TokenView {
  const dates = {
    creation_date: stored.createdAt,
    expiration_date: new Date(Date.parse(stored.createdAt) + ctx.limits.tokenLifetimeMs).toISOString(),
  };
  const shown = token !== undefined ? { token } : reveal(ctx, stored);
  if ('token' in shown) return { data: { token: shown.token, ...dates } };
  return { data: { token_exists: true, ...dates }, warning: shown.warning };
}

function answer(view: TokenView, info: string[] = []): Envelope<DeployTokenJsonT> {
  return envelope(view.data, fullMessages({ info, warning: view.warning ? [view.warning] : [] }));
}

async function issue(ctx: ApiContext, tool: string): Promise<TokenView> {
  const token = randomUUID();
  const stored: StoredToken = {
    tool,
    hash: hashToken(token),
    createdAt: ctx.now().toISOString(),
    secret: ctx.tokenKeys.seal(tool, token),
  };
  await ctx.store.putToken(stored);
  return tokenView(ctx, stored, token);
}

export const tokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const schema = (summary: string) => ({
    tags: ['tool'],
    summary,
    params: ToolParams,
    response: responses(DeployTokenJson),
  });

  app.get(
    '/v1/tool/:toolname/deployment/token',
    { schema: schema('Get Tool Deploy Token') },
    async (request) => {
      const tool = request.params.toolname;
      const stored = await ctx.store.getToken(tool);
      if (!stored) throw apiError('CMP_ERR_TOKEN_NOT_FOUND', tool);
      return answer(tokenView(ctx, stored));
    },
  );

  app.post(
    '/v1/tool/:toolname/deployment/token',
    { schema: schema('Create Tool Deploy Token') },
    async (request) => {
      const tool = request.params.toolname;
      if (await ctx.store.getToken(tool)) throw apiError('CMP_ERR_TOKEN_EXISTS', tool);
      return answer(await issue(ctx, tool), [`Deploy token for ${tool} created successfully.`]);
    },
  );

  app.put(
    '/v1/tool/:toolname/deployment/token',
    { schema: schema('Update Tool Deploy Token') },
    async (request) => {
      const tool = request.params.toolname;
      if (!(await ctx.store.getToken(tool))) throw apiError('CMP_ERR_TOKEN_NOT_FOUND', tool);
      return answer(await issue(ctx, tool), [`Deploy token for ${tool} updated successfully.`]);
    },
  );

  app.delete(
    '/v1/tool/:toolname/deployment/token',
    { schema: schema('Delete Tool Deploy Token') },
    async (request) => {
      const tool = request.params.toolname;
      const removed = await ctx.store.deleteToken(tool);
      if (!removed) throw apiError('CMP_ERR_TOKEN_NOT_FOUND', tool);
      return answer(tokenView(ctx, removed), [`Deploy token for ${tool} deleted successfully.`]);
    },
  );
};
