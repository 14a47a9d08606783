/**
 * The web dashboard: server-rendered pages on the API's own server (`/`, `/tools/<tool>`, its deployments and
 * plan view) plus one small client script for what is live (event stream, logs, dialogs). Pages read the
 * store and the runtime as the API does and act through the API's own routes (`inject` with the identity the
 * page was let in with), so deploy and cancel keep every API rule. See docs/dashboard.md.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api/api-errors.js';
import { streamDeploymentEvents } from '../api/routes/events-routes.js';
import { apiHeaders, pageTool, PageRefused, viewerOf } from './identity.js';
import { errorPage, ASSET_PREFIX } from './layout.js';
import type { Html } from './html.js';
import { requireSameOrigin } from './same-origin.js';
import { toolListPage } from './pages/tool-list.js';
import { toolPage } from './pages/tool-page.js';
import { deploymentPage } from './pages/deployment-page.js';
import { planPage } from './pages/plan-page.js';
import { streamComponentLog } from './log-stream.js';
import { componentNameProblem } from '../config/component-name.js';

/** No inline script or style anywhere: everything the browser runs or applies comes from this server. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// From src/web and from dist/web alike: the assets are plain files kept in the package's src/web/assets.
const ASSETS_DIR = new URL('../../src/web/assets/', import.meta.url);
const ASSETS: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

interface ApiAnswer {
  readonly status: number;
  readonly data?: Record<string, unknown>;
  readonly errors: string[];
  readonly warnings: string[];
}

async function callApi(
  app: FastifyInstance,
  request: FastifyRequest,
  tool: string,
  method: 'POST' | 'PUT',
  url: string,
  payload?: string,
): Promise<ApiAnswer> {
  const response = await app.inject({
    method,
    url,
    headers: {
      ...apiHeaders(tool, request),
      ...(payload !== undefined ? { 'content-type': 'application/yaml' } : {}),
    },
    ...(payload !== undefined ? { payload } : {}),
  });
  let body: { data?: Record<string, unknown>; messages?: { error?: string[]; warning?: string[] } };
  try {
    body = response.json();
  } catch {
    // Not the API's envelope (a server closing answers 503 in plain text): say what came back.
    body = { messages: { error: [`HTTP ${response.statusCode}: ${response.body.slice(0, 200)}`] } };
  }
  return {
    status: response.statusCode,
    ...(body.data ? { data: body.data } : {}),
    errors: body.messages?.error ?? [],
    warnings: body.messages?.warning ?? [],
  };
}

function form(request: FastifyRequest): URLSearchParams {
  return new URLSearchParams(request.rawBody ?? '');
}

const sendPage = (reply: FastifyReply, page: Html, status = 200): FastifyReply =>
  reply.status(status).type('text/html; charset=utf-8').send(page.text);

const path = (...parts: string[]): string => `/${parts.map(encodeURIComponent).join('/')}`;

export async function webDashboard(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  const assets = Object.fromEntries(
    Object.keys(ASSETS).map((name) => [name, readFileSync(new URL(name, ASSETS_DIR))]),
  );

  // Pages are not API operations: they stay out of /openapi.json.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof PageRefused)
      return sendPage(reply, errorPage(error.status, error.message), error.status);
    if (error instanceof ApiError) {
      const status = error.status ?? 500;
      return sendPage(reply, errorPage(status, error.messages.join('\n')), status);
    }
    request.log.error({ err: error }, 'dashboard page failed');
    return sendPage(reply, errorPage(500, 'Internal server error'), 500);
  });

  app.get<{ Params: { file: string } }>(`${ASSET_PREFIX}/:file`, async (request, reply) => {
    const { file } = request.params;
    const type = ASSETS[file];
    const content = assets[file];
    if (!type || !content) throw new PageRefused(404, `No asset ${file}`);
    return reply.type(type).header('cache-control', 'no-cache').send(content);
  });

  app.get('/', async (request, reply) => sendPage(reply, await toolListPage(ctx, viewerOf(ctx, request))));

  app.get('/tools/:tool', async (request, reply) => {
    const { tool } = pageTool(ctx, request);
    return sendPage(reply, await toolPage(ctx, tool));
  });

  app.get<{ Params: { id: string } }>('/tools/:tool/deployments/:id', async (request, reply) => {
    const { tool } = pageTool(ctx, request);
    return sendPage(reply, await deploymentPage(ctx, tool, request.params.id));
  });

  app.get<{ Params: { id: string } }>('/tools/:tool/deployments/:id/events', async (request, reply) => {
    const { tool } = pageTool(ctx, request);
    await streamDeploymentEvents(ctx, request, reply, tool, request.params.id);
  });

  app.post<{ Params: { id: string } }>('/tools/:tool/deployments/:id/cancel', async (request, reply) => {
    const { tool } = pageTool(ctx, request);
    requireSameOrigin(request);
    const id = request.params.id;
    const answer = await callApi(
      app,
      request,
      tool,
      'PUT',
      `/v1${path('tool', tool, 'deployment', id, 'cancel')}`,
    );
    if (answer.status >= 400)
      return sendPage(reply, errorPage(answer.status, answer.errors.join('\n')), answer.status);
    return reply.redirect(path('tools', tool, 'deployments', id), 303);
  });

  app.get<{ Params: { component: string }; Querystring: { kind?: string } }>(
    '/tools/:tool/components/:component/logs',
    async (request, reply) => {
      const { tool } = pageTool(ctx, request);
      // The name reaches the runtime (a log file path on the local one): only a possible component name does.
      const problem = componentNameProblem(request.params.component);
      if (problem !== undefined) throw new PageRefused(404, problem);
      const kind = request.query.kind === 'build' ? 'build' : 'job';
      await streamComponentLog(ctx, request, reply, tool, request.params.component, kind);
    },
  );

  app.get('/tools/:tool/plan', async (request, reply) => {
    const { tool } = pageTool(ctx, request);
    return sendPage(reply, planPage(tool));
  });

  app.post('/tools/:tool/plan', async (request, reply) => {
    const { tool } = pageTool(ctx, request);
    requireSameOrigin(request);
    const config = form(request).get('config') ?? '';
    const answer = await callApi(
      app,
      request,
      tool,
      'POST',
      `/v1${path('tool', tool, 'deploy')}?only-plan=true`,
      config,
    );
    const outcome = { config, errors: answer.errors, warnings: answer.warnings };
    return sendPage(
      reply,
      planPage(tool, answer.status < 400 ? { ...outcome, plan: answer.data } : outcome),
      answer.status < 400 ? 200 : answer.status,
    );
  });

  app.post('/tools/:tool/deploy', async (request, reply) => {
    const { tool } = pageTool(ctx, request);
    requireSameOrigin(request);
    const fields = form(request);
    const config = fields.get('config') ?? '';
    const query = new URLSearchParams({
      'plan-id': fields.get('plan_id') ?? '',
      description: fields.get('description') ?? '',
    });
    const answer = await callApi(
      app,
      request,
      tool,
      'POST',
      `/v1${path('tool', tool, 'deploy')}?${query}`,
      config,
    );
    const id = answer.data?.deploy_id;
    if (answer.status < 400 && typeof id === 'string')
      return reply.redirect(path('tools', tool, 'deployments', id), 303);
    return sendPage(
      reply,
      planPage(tool, { config, errors: answer.errors, warnings: answer.warnings }),
      answer.status,
    );
  });
}
export default webDashboard;
