/** builds-api routes (`/builds/v1/tool/{toolname}/…`, as reached through the API gateway). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveRef } from '../runtimes/git.js';
import type { SimBuild, SimBuildParameters } from './build-model.js';
import { buildLogLines, buildStatus, buildView, fakeCommit, isBuildActive } from './build-model.js';
import { validateBuildBody } from './request-validation.js';
import type { SimContext } from './sim-context.js';
import { buildDurationFor, buildQuotaOf } from './simulator-options.js';

type ToolParams = { Params: { toolname: string } };
type BuildParams = { Params: { toolname: string; id: string } };

const EMPTY = { info: [], warning: [], error: [] };

function messages(info: string[] = []): Record<string, string[]> {
  return { ...EMPTY, info };
}

function notFound(reply: FastifyReply, id: string): FastifyReply {
  return reply.code(404).send({ ...EMPTY, error: [`Build '${id}' not found`] });
}

function usesGit(repository: string, mode: 'auto' | 'git' | 'fake'): boolean {
  if (mode !== 'auto') return mode === 'git';
  return repository.startsWith('file://') || repository.startsWith('/') || repository.startsWith('.');
}

/** builds-api authenticates by the gateway-set header; a request without it is 401. */
function authorise(request: FastifyRequest<ToolParams>, reply: FastifyReply): boolean {
  const header = request.headers['x-toolforge-tool'];
  if (typeof header === 'string' && header === request.params.toolname) return true;
  void reply.code(401).send({
    ...EMPTY,
    error: [
      header ? `Tool '${String(header)}' cannot access tool '${request.params.toolname}'` : 'Unauthorized',
    ],
  });
  return false;
}

function activeBuildCount(ctx: SimContext, tool: string, now: number): number {
  return ctx.state.toolBuilds(tool).filter((b) => isBuildActive(b, now)).length;
}

/**
 * builds-api's quota answer: the registry's storage (what builds-api reports from Harbor) and the build limit
 * that its 409 enforces. All numbers are text, as builds-api sends them.
 */
function quotaView(ctx: SimContext, tool: string): Record<string, unknown> {
  const limit = buildQuotaOf(ctx.behaviour.builds);
  const used = activeBuildCount(ctx, tool, ctx.now());
  const finite = Number.isFinite(limit);
  return {
    messages: messages(),
    quota: {
      categories: [
        {
          name: 'Registry',
          items: [
            { name: 'Storage', limit: 'Unlimited', used: '0B', available: 'Unlimited', capacity: '0%' },
          ],
        },
        {
          name: 'Builds',
          items: [
            {
              name: 'Concurrent builds',
              limit: finite ? String(limit) : 'Unlimited',
              used: String(used),
              available: finite ? String(Math.max(0, limit - used)) : 'Unlimited',
            },
          ],
        },
      ],
    },
  };
}

async function start(
  ctx: SimContext,
  request: FastifyRequest<ToolParams>,
  reply: FastifyReply,
): Promise<unknown> {
  const checked = validateBuildBody(request.body);
  if (!checked.ok) return reply.code(checked.status).send({ ...EMPTY, ...checked.body });
  const body = checked.value;
  const tool = request.params.toolname;
  const behaviour = ctx.behaviour.builds;
  const parameters: SimBuildParameters = {
    source_url: String(body.source_url),
    // `null` (upstream components-api's "no ref") and `""` both mean the default branch.
    ref: typeof body.ref === 'string' && body.ref !== '' ? body.ref : undefined,
    image_name: typeof body.image_name === 'string' && body.image_name !== '' ? body.image_name : tool,
    use_latest_versions: body.use_latest_versions === true,
    use_deprecated_versions: body.use_deprecated_versions === true,
    envvars: (body.envvars as Record<string, string> | undefined) ?? {},
  };
  let resolvedRef = fakeCommit(parameters.source_url, parameters.ref);
  if (usesGit(parameters.source_url, behaviour.resolveRefs ?? 'auto')) {
    const resolution = await resolveRef(parameters.source_url, parameters.ref);
    if (!resolution.ok) return reply.code(400).send({ ...EMPTY, error: [resolution.error] });
    resolvedRef = resolution.commit;
  }
  // Checked after the (async) ref resolution so that concurrent starts cannot both slip under the quota.
  const now = ctx.now();
  const active = activeBuildCount(ctx, tool, now);
  const limit = buildQuotaOf(behaviour);
  if (active >= limit) {
    return reply.code(409).send({
      ...EMPTY,
      error: [
        `Build limit reached: the tool already has ${active} builds pending or running (limit ${limit}), wait for one to finish`,
      ],
    });
  }
  const fails =
    (behaviour.failImages ?? []).includes(parameters.image_name) ||
    ctx.prng.next() < (behaviour.failRate ?? 0);
  const build: SimBuild = {
    id: `${tool}-buildpacks-pipelinerun-${ctx.prng.word(5)}`,
    tool,
    parameters,
    resolvedRef,
    startMs: now,
    queueMs: behaviour.queueMs ?? 0,
    durationMs: buildDurationFor(behaviour, parameters.image_name),
    fails,
  };
  ctx.state.toolBuilds(tool).push(build);
  ctx.state.count('buildsStarted');
  return reply.send({
    messages: messages(),
    new_build: {
      name: build.id,
      resolved_ref: resolvedRef,
      parameters: { ...parameters, ref: parameters.ref ?? '' },
    },
  });
}

export function registerBuildsRoutes(app: FastifyInstance, ctx: SimContext): void {
  const base = '/builds/v1/tool/:toolname';
  app.addHook<ToolParams>('preHandler', async (request, reply) => {
    if (request.routeOptions.url?.startsWith(base) && !authorise(request, reply)) return reply;
    return undefined;
  });

  app.post<ToolParams>(`${base}/builds`, (request, reply) => start(ctx, request, reply));

  app.get<ToolParams>(`${base}/builds`, async (request) => ({
    messages: messages(),
    builds: ctx.state.toolBuilds(request.params.toolname).map((b) => buildView(b, ctx.now())),
  }));

  app.get<ToolParams>(`${base}/builds/latest`, async (request, reply) => {
    const latest = ctx.state.toolBuilds(request.params.toolname).at(-1);
    if (!latest) return reply.code(404).send({ ...EMPTY, error: ['No builds found'] });
    return { messages: messages(), build: buildView(latest, ctx.now()) };
  });

  app.get<BuildParams>(`${base}/builds/:id`, async (request, reply) => {
    const build = ctx.state.findBuild(request.params.toolname, request.params.id);
    if (!build) return notFound(reply, request.params.id);
    return { messages: messages(), build: buildView(build, ctx.now()) };
  });

  app.delete<BuildParams>(`${base}/builds/:id`, async (request, reply) => {
    const list = ctx.state.toolBuilds(request.params.toolname);
    const index = list.findIndex((b) => b.id === request.params.id);
    if (index < 0) return notFound(reply, request.params.id);
    list.splice(index, 1);
    return { messages: messages([`Build '${request.params.id}' deleted`]), id: request.params.id };
  });

  app.put<BuildParams>(`${base}/builds/:id/cancel`, async (request, reply) => {
    const build = ctx.state.findBuild(request.params.toolname, request.params.id);
    if (!build) return notFound(reply, request.params.id);
    const now = ctx.now();
    if (!isBuildActive(build, now)) {
      return reply.code(409).send({
        ...EMPTY,
        error: [`Build '${build.id}' can't be cancelled, it is ${buildStatus(build, now)}`],
      });
    }
    build.cancelledAtMs = now;
    return { messages: messages([`Build '${build.id}' cancelled`]), id: build.id };
  });

  app.get<BuildParams>(`${base}/builds/:id/logs`, async (request, reply) => {
    const build = ctx.state.findBuild(request.params.toolname, request.params.id);
    if (!build) return notFound(reply, request.params.id);
    const lines = buildLogLines(build, ctx.now()).map((line) => JSON.stringify({ line }));
    return reply.type('text/plain').send(`${lines.join('\n')}\n`);
  });

  app.post<ToolParams>(`${base}/clean`, async (request) => {
    const list = ctx.state.toolBuilds(request.params.toolname);
    const removed = list.length;
    list.splice(0, removed);
    return { messages: messages([`Removed ${removed} builds`]) };
  });

  app.get<ToolParams>(`${base}/quotas`, async (request) => quotaView(ctx, request.params.toolname));

  app.get('/builds/v1/healthz', async () => ({ status: 'OK', messages: messages() }));
}
