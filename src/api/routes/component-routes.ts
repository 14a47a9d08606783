/**
 * One component at a time, outside deployments:
 * - GET /v1/tool/{t}/component/{c}/build-logs: the log of the component's latest build, from the runtime (the
 *   local image store's log; builds-api's logs endpoint on Toolforge), so a failed build can be read;
 * - POST /v1/tool/{t}/component/{c}/restart: restart the component's job (its processes), as
 *   `toolforge jobs restart` does; nothing is built or changed.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RuntimeError } from '../../runtimes/runtime.js';
import type { BuildRecord } from '../../model/observed-state.js';
import { apiError } from '../api-errors.js';
import { envelope } from '../envelope.js';
import { ComponentParams, responses } from '../schemas.js';
import type { ApiContext } from '../context.js';
import { BuildLogsJson, RestartJson } from '../../model/wire/small-answers.js';

/** The newest build of the component's image (builds are named after the component, as upstream does). */
function latestBuild(builds: readonly BuildRecord[], component: string): BuildRecord | undefined {
  const time = (b: BuildRecord): string => b.startedAt ?? b.finishedAt ?? '';
  return builds
    .filter((b) => b.imageName === component)
    .reduce<BuildRecord | undefined>(
      (best, b) => (best === undefined || time(b) >= time(best) ? b : best),
      undefined,
    );
}

function runtimeFailure(error: unknown): never {
  if (error instanceof RuntimeError) throw apiError('CMP_ERR_RUNTIME', error.message);
  throw error;
}

async function buildLogs(
  ctx: ApiContext,
  tool: string,
  component: string,
): Promise<{ build: BuildRecord; lines: string[] }> {
  const { runtime } = ctx;
  const { builds } = await runtime.observe(tool, { parts: ['builds'] }).catch(runtimeFailure);
  const build = latestBuild(builds, component);
  if (!build || !runtime.buildLogs) throw apiError('CMP_ERR_NO_BUILD', component);
  const lines = await runtime.buildLogs(tool, build.id).catch(runtimeFailure);
  return { build, lines };
}

export const componentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  app.get(
    '/v1/tool/:toolname/component/:component/build-logs',
    {
      schema: {
        tags: ['plan'],
        summary: 'Get Component Build Logs',
        description: "The log of the component's latest build (its id, state and lines).",
        params: ComponentParams,
        response: responses(BuildLogsJson),
      },
    },
    async (request) => {
      const { toolname, component } = request.params;
      const { build, lines } = await buildLogs(ctx, toolname, component);
      return envelope({ build_id: build.id, status: build.state, lines }, {});
    },
  );

  app.post(
    '/v1/tool/:toolname/component/:component/restart',
    {
      schema: {
        tags: ['plan'],
        summary: 'Restart Component',
        description: "Restarts the component's job (its processes); nothing is built or changed.",
        params: ComponentParams,
        response: responses(RestartJson),
      },
    },
    async (request) => {
      const { toolname, component } = request.params;
      try {
        await ctx.runtime.restartJob(toolname, component);
      } catch (error) {
        if (error instanceof RuntimeError && error.kind === 'not-found')
          throw apiError('CMP_ERR_JOB_NOT_FOUND', component);
        runtimeFailure(error);
      }
      return envelope({ restarted: component }, { info: [`Restarted ${component}.`] });
    },
  );
};
