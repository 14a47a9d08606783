/**
 * `POST /v1/config/search` (upstream's public route): which tools' stored configs match. Not a tool route, so
 * it needs no `x-toolforge-tool` header, and it answers tool names only, never a config.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BETA_WARNING, envelope } from '../envelope.js';
import { validationError } from '../api-errors.js';
import { parseJsonBody } from '../config-input.js';
import { receivedSuffix } from '../received-value.js';
import { configMatches, parseSearchPath, type SearchCriterion } from '../config-search.js';
import { toV1beta2 } from '../domain.js';
import { responses } from '../schemas.js';
import { ConfigSearchJson } from '../../model/wire/small-answers.js';
import { isObject } from '../../support/is-object.js';

/** More criteria than anyone writes by hand: a bound on the work one request can ask for. */
const MAX_CRITERIA = 50;

/** The body's `matches` as criteria; every problem at once, in upstream's 422 wording. */
function readCriteria(request: FastifyRequest): SearchCriterion[] {
  const text = request.rawBody ?? '';
  const body = text.trim() === '' ? undefined : parseJsonBody(text);
  if (body === undefined) throw validationError([{ loc: '', message: 'Field required' }]);
  if (!isObject(body)) {
    throw validationError([
      {
        loc: '',
        message: `Input should be a valid dictionary or object to extract fields from${receivedSuffix(body)}`,
      },
    ]);
  }
  const matches = body.matches;
  if (matches === undefined) throw validationError([{ loc: 'matches', message: 'Field required' }]);
  if (!isObject(matches)) {
    throw validationError([
      { loc: 'matches', message: `Input should be a valid dictionary${receivedSuffix(matches)}` },
    ]);
  }
  const entries = Object.entries(matches);
  if (entries.length === 0) {
    throw validationError([
      { loc: 'matches', message: 'Dictionary should have at least 1 item after validation, not 0' },
    ]);
  }
  if (entries.length > MAX_CRITERIA) {
    throw validationError([
      {
        loc: 'matches',
        message: `Dictionary should have at most ${MAX_CRITERIA} items after validation, not ${entries.length}`,
      },
    ]);
  }
  const problems: Array<{ loc: string; message: string }> = [];
  const criteria: SearchCriterion[] = [];
  for (const [path, value] of entries) {
    const parsed = parseSearchPath(path);
    if ('problem' in parsed)
      problems.push({ loc: `matches -> ${path}`, message: `Invalid path: ${parsed.problem}` });
    else criteria.push({ steps: parsed.steps, value });
  }
  if (problems.length > 0) throw validationError(problems);
  return criteria;
}

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  app.post(
    '/v1/config/search',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['config'],
        summary: 'Search Tool Configs',
        description:
          'Body `{"matches": {"<path>": <value>}}`: the tools whose stored config (in upstream v1beta2 form) has every value ' +
          'at its path. Paths are dot-separated keys; `[]` is any element of a list or any value of a map ' +
          '(`components[].build.repository`), `[n]` the n-th list element. Answers `{"tools": [names]}`.',
        body: Type.Optional(
          Type.Object(
            { matches: Type.Record(Type.String(), Type.Unknown()) },
            { additionalProperties: true },
          ),
        ),
        response: responses(ConfigSearchJson),
      },
      // The body is read from the raw text (JSON position errors, one 422 listing every bad path).
      validatorCompiler: () => () => true,
    },
    async (request) => {
      const criteria = readCriteria(request);
      const tools: string[] = [];
      for (const stored of await ctx.store.listConfigs()) {
        if (configMatches(toV1beta2(stored.config), criteria)) tools.push(stored.tool);
      }
      return envelope({ tools }, { warning: [BETA_WARNING] });
    },
  );
};
