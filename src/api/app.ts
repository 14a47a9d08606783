/**
 * `buildApp(deps)`: the whole HTTP API as a Fastify instance, without listening (tests use `inject`;
 * `server.ts` listens). Route groups are encapsulated plugins; the tool routes share one auth hook.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { FINAL_DEPLOYMENT_STATES, ACTIVE_DEPLOYMENT_STATES } from '../model/deployment.js';
import { apiError } from './api-errors.js';
import { authenticate, checkToolParam, TOOL_HEADER } from './auth.js';
import { contextPlugin, resolveContext, type AppDeps } from './context.js';
import { BETA_WARNING, envelope, errorBody, fullMessages } from './envelope.js';
import { handleError } from './error-handler.js';
import { allowedMethods } from './method-not-allowed.js';
import { parseJsonBody } from './config-input.js';
import { httpRequestDurationSeconds, metricsRegistry, setDeploymentCounts } from './metrics.js';
import { configRoutes } from './routes/config-routes.js';
import { deploymentRoutes } from './routes/deployment-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { planRoutes } from './routes/plan-routes.js';
import { componentRoutes } from './routes/component-routes.js';
import { eventsRoutes } from './routes/events-routes.js';
import { searchRoutes } from './routes/search-routes.js';
import { VERSION } from '../version.js';

export type { AppDeps } from './context.js';

function registerBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  // One parser for every media type: keep the text (YAML configs, JSON position errors). Malformed JSON is
  // refused here, before authentication, as upstream does (docs/upstream-compat.md#envelope).
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    try {
      if (text.trim() !== '' && request.headers['content-type']?.includes('json')) parseJsonBody(text);
      done(null, text === '' ? undefined : text);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Toolforge Components API',
        version: VERSION,
        description:
          'Upstream-compatible components-api (/v1) plus deployment plans: tool status, plan/deploy, live events.',
      },
      components: {
        securitySchemes: {
          APIKeyHeader: { type: 'apiKey', in: 'header', name: TOOL_HEADER },
          APIKeyQuery: { type: 'apiKey', in: 'query', name: 'token' },
        },
      },
    },
  });
}

function registerPublicRoutes(app: FastifyInstance): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(
    '/v1/healthz',
    {
      schema: {
        summary: 'Healthz',
        response: { 200: Type.Object({ data: Type.Unknown(), messages: Type.Unknown() }) },
      },
    },
    async () => envelope({ status: 'OK' }, fullMessages()),
  );
  typed.get(
    '/metrics',
    { schema: { summary: 'Metrics', description: 'Prometheus metrics' } },
    async (_request, reply) => {
      const { store } = app.ctx;
      if (store.countDeploymentsByState) setDeploymentCounts(await store.countDeploymentsByState());
      else {
        const all = await store.findDeployments([
          ...ACTIVE_DEPLOYMENT_STATES,
          'cancelling',
          ...FINAL_DEPLOYMENT_STATES,
        ]);
        const counts: Record<string, number> = {};
        for (const d of all) counts[d.state] = (counts[d.state] ?? 0) + 1;
        setDeploymentCounts(counts);
      }
      return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
    },
  );
  typed.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/** The envelope without upstream's beta warning (every route and error adds it where upstream does). */
function withoutBetaWarning(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || !('messages' in payload)) return payload;
  const messages = (payload as { messages: unknown }).messages;
  if (typeof messages !== 'object' || messages === null || !('warning' in messages)) return payload;
  const warning = (messages as { warning: unknown }).warning;
  if (!Array.isArray(warning)) return payload;
  return { ...payload, messages: { ...messages, warning: warning.filter((w) => w !== BETA_WARNING) } };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const shutdown = new AbortController();
  const ctx = resolveContext(deps, shutdown.signal);
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: ctx.limits.bodyLimit,
    ajv: {
      customOptions: { coerceTypes: true, useDefaults: true, allErrors: true, removeAdditional: false },
    },
    return503OnClosing: true,
  });
  registerBodyParser(app);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(app, request.url);
    const error = allowed.length > 0 ? apiError('CMP_ERR_METHOD_NOT_ALLOWED') : apiError('CMP_ERR_NOT_FOUND');
    if (allowed.length > 0) void reply.header('allow', allowed.join(', '));
    void reply.status(error.status).send(errorBody(error.messages));
  });
  app.addHook('onResponse', async (request, reply) => {
    httpRequestDurationSeconds.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  if (deps.betaWarning === false)
    app.addHook('preSerialization', async (_request, _reply, payload) => withoutBetaWarning(payload));
  // Long-polls and event streams end first, so closing waits only for ordinary requests.
  app.addHook('preClose', async () => shutdown.abort());
  await registerOpenApi(app);
  await app.register(contextPlugin, { ctx });
  registerPublicRoutes(app);
  await app.register(searchRoutes);
  if (deps.pages) await app.register(deps.pages); // the web pages (docs/dashboard.md)
  await app.register(async (tool) => {
    // The tool name is checked first: an impossible tool is refused before anything is parsed, authenticated
    // against the store, read or written.
    tool.addHook('onRequest', async (request) => checkToolParam(request));
    tool.addHook('preValidation', async (request) => authenticate(ctx, request));
    await tool.register(configRoutes);
    await tool.register(tokenRoutes);
    await tool.register(deploymentRoutes);
    await tool.register(planRoutes);
    await tool.register(eventsRoutes);
    await tool.register(componentRoutes);
  });
  await app.ready();
  return app;
}
