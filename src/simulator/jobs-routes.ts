/** jobs-api routes (`/jobs/v1/tool/{tool_name}/…`, as reached through the API gateway). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimJob, SimJobRuntime } from './job-model.js';
import { jobLogLines, jobView, specChanged, specFromRequest } from './job-model.js';
import { validateJobBody } from './request-validation.js';
import type { SimContext } from './sim-context.js';
import { jobBehaviourFor } from './simulator-options.js';

type ToolParams = { Params: { tool_name: string } };
type JobParams = { Params: { tool_name: string; id: string } };
type ListQuery = ToolParams & { Querystring: { include_unset?: string } };

function messages(info: string[] = []): Record<string, string[]> {
  return { info, warning: [], error: [] };
}

function missing(reply: FastifyReply, name: string): FastifyReply {
  return reply.code(404).send({ error: [`Job '${name}' does not exist`] });
}

/** jobs-api answers 403 `{error: ["missing 'x-toolforge-tool' header"]}` without the gateway's header. */
function authorise(request: FastifyRequest<ToolParams>, reply: FastifyReply): boolean {
  const header = request.headers['x-toolforge-tool'];
  if (typeof header !== 'string' || header === '') {
    void reply.code(403).send({ error: ["missing 'x-toolforge-tool' header"] });
    return false;
  }
  if (header !== request.params.tool_name) {
    void reply
      .code(403)
      .send({ error: [`Tool '${header}' is not allowed to access tool '${request.params.tool_name}'`] });
    return false;
  }
  return true;
}

type UpsertOutcome = { status: number; body: Record<string, unknown> };

function upsert(ctx: SimContext, tool: string, raw: unknown, createOnly: boolean): UpsertOutcome {
  const checked = validateJobBody(raw, tool);
  if (!checked.ok) return { status: checked.status, body: checked.body };
  const spec = specFromRequest(checked.value.body, checked.value.type);
  const jobs = ctx.state.toolJobs(tool);
  const existing = jobs.get(spec.name);
  const now = ctx.now();
  if (existing && createOnly) {
    return { status: 409, body: { error: [`A job with the name ${spec.name} exists already`] } };
  }
  if (existing && existing.tampered !== true && !specChanged(existing.spec, spec)) {
    return {
      status: 200,
      body: { messages: messages([`Job ${spec.name} is already up to date`]), job_changed: false },
    };
  }
  const job: SimJob & SimJobRuntime = {
    tool,
    spec,
    generationMs: now,
    behaviour: jobBehaviourFor(ctx.behaviour.jobs, spec.name),
  };
  jobs.set(spec.name, job);
  const verb = existing ? 'updated' : 'created';
  if (createOnly) return { status: 201, body: { job: jobView(job, now, true), messages: messages() } };
  return {
    status: 200,
    body: { messages: messages([`Job ${spec.name} ${verb} in storage and runtime`]), job_changed: true },
  };
}

export function registerJobsRoutes(app: FastifyInstance, ctx: SimContext): void {
  const base = '/jobs/v1/tool/:tool_name';
  app.addHook<ToolParams>('preHandler', async (request, reply) => {
    if (request.routeOptions.url?.startsWith(base) && !authorise(request, reply)) return reply;
    return undefined;
  });

  app.get<ListQuery>(`${base}/jobs`, async (request) => {
    const includeUnset = request.query.include_unset !== 'false';
    const now = ctx.now();
    const jobs = [...ctx.state.toolJobs(request.params.tool_name).values()].map((j) =>
      jobView(j, now, includeUnset),
    );
    return { jobs, messages: includeUnset ? messages() : {} };
  });

  app.patch<ToolParams>(`${base}/jobs`, async (request, reply) => {
    const outcome = upsert(ctx, request.params.tool_name, request.body, false);
    return reply.code(outcome.status).send(outcome.body);
  });

  app.post<ToolParams>(`${base}/jobs`, async (request, reply) => {
    const outcome = upsert(ctx, request.params.tool_name, request.body, true);
    return reply.code(outcome.status).send(outcome.body);
  });

  app.delete<ToolParams>(`${base}/jobs`, async (request) => {
    ctx.state.toolJobs(request.params.tool_name).clear();
    return { messages: messages(['All jobs have been deleted']) };
  });

  app.get<JobParams>(`${base}/jobs/:id`, async (request, reply) => {
    const job = ctx.state.toolJobs(request.params.tool_name).get(request.params.id);
    if (!job) return missing(reply, request.params.id);
    return { job: jobView(job, ctx.now(), true), messages: messages() };
  });

  app.delete<JobParams>(`${base}/jobs/:id`, async (request, reply) => {
    const jobs = ctx.state.toolJobs(request.params.tool_name);
    if (!jobs.delete(request.params.id)) return missing(reply, request.params.id);
    return { messages: messages([`Job ${request.params.id} deleted`]) };
  });

  app.post<JobParams>(`${base}/jobs/:id/restart`, async (request, reply) => {
    const job = ctx.state.toolJobs(request.params.tool_name).get(request.params.id);
    if (!job) return missing(reply, request.params.id);
    const now = ctx.now();
    job.generationMs = now;
    job.behaviour = jobBehaviourFor(ctx.behaviour.jobs, request.params.id);
    // "Restart a given job. If the job is a cronjob, execute it right now."
    if (job.spec.job_type === 'scheduled') job.lastRunRequestedMs = now;
    return { messages: messages() };
  });

  app.get<JobParams>(`${base}/jobs/:id/logs`, async (request, reply) => {
    const job = ctx.state.toolJobs(request.params.tool_name).get(request.params.id);
    if (!job) return missing(reply, request.params.id);
    return reply.type('text/plain').send(`${jobLogLines(job, ctx.now()).join('\n')}\n`);
  });

  app.get('/jobs/v1/healthz', async () => ({
    health: { status: 'OK', message: 'OK' },
    messages: messages(),
  }));
}
