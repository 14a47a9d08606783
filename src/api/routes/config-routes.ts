/** `/v1/tool/{toolname}/config` and `/config/generate` (docs/upstream-compat.md#config). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BETA_WARNING, envelope } from '../envelope.js';
import { apiError } from '../api-errors.js';
import { loadConfigText } from '../config-input.js';
import { fetchSourceConfig, needsSourceFetch } from '../source-url.js';
import { generateConfig } from '../config-generate.js';
import { observe } from '../deployments-service.js';
import { upgradeDocument } from '../domain.js';
import { ToolParams, responses } from '../schemas.js';
import { ToolConfigDocument } from '../../model/wire/kit.js';

const RebuildStorage = Type.Object({ rebuild_storage: Type.Optional(Type.Boolean({ default: false })) });

export const configRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  app.get(
    '/v1/tool/:toolname/config',
    {
      schema: {
        tags: ['tool'],
        summary: 'Get Tool Config',
        params: ToolParams,
        querystring: RebuildStorage,
        response: responses(ToolConfigDocument),
      },
    },
    async (request) => {
      const stored = await ctx.store.getConfig(request.params.toolname);
      if (!stored) throw apiError('CMP_ERR_CONFIG_NOT_FOUND', request.params.toolname);
      // Read back upgraded: a config stored as v1beta1 answers as v1beta2, as upstream's does.
      return envelope(upgradeDocument(stored.raw), { warning: [BETA_WARNING] });
    },
  );

  app.post(
    '/v1/tool/:toolname/config',
    {
      schema: {
        tags: ['tool'],
        summary: 'Update Tool Config',
        description:
          'Body: a tool config as JSON or YAML, in v1beta2 (v1beta1 is upgraded to it, with a warning) or the seed (config-version 0.1) dialect.',
        params: ToolParams,
        querystring: RebuildStorage,
        response: responses(ToolConfigDocument),
      },
    },
    async (request) => {
      const tool = request.params.toolname;
      let loaded = loadConfigText(request.rawBody ?? '', request.headers['content-type'], ctx.limits);
      await ctx.store.putConfig(tool, loaded.raw, loaded.config);
      // Upstream stores the posted body first, then replaces it with what the source URL serves.
      if (needsSourceFetch(loaded.config.sourceUrl)) {
        const fetched = await fetchSourceConfig(loaded.config.sourceUrl, ctx.limits);
        await ctx.store.putConfig(tool, fetched.raw, fetched.config);
        loaded = { ...fetched, warnings: [...loaded.warnings, ...fetched.warnings] };
      }
      return envelope(loaded.raw, {
        info: [`Configuration for ${tool} updated successfully.`],
        warning: [BETA_WARNING, ...loaded.warnings],
      });
    },
  );

  app.delete(
    '/v1/tool/:toolname/config',
    {
      schema: {
        tags: ['tool'],
        summary: 'Delete Tool Config',
        params: ToolParams,
        querystring: RebuildStorage,
        response: responses(ToolConfigDocument),
      },
    },
    async (request) => {
      const removed = await ctx.store.deleteConfig(request.params.toolname);
      // Upstream answers 500 here (docs/upstream-compat.md#deliberate-deviations): a missing config is a 404.
      if (!removed) throw apiError('CMP_ERR_CONFIG_NOT_FOUND', request.params.toolname);
      return envelope(upgradeDocument(removed.raw), {});
    },
  );

  app.get(
    '/v1/tool/:toolname/config/generate',
    {
      schema: {
        tags: ['tool'],
        summary: 'Generate Tool Config',
        description:
          "A config written from the tool's existing builds and jobs, or a sample when none can be.",
        params: ToolParams,
        response: responses(ToolConfigDocument),
      },
    },
    async (request) => {
      const observed = await observe(ctx, request.params.toolname, undefined);
      const { data, warnings } = generateConfig(observed);
      return envelope(data, { warning: warnings });
    },
  );
};
