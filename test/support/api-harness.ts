/**
 * An API app on a fresh test store (SQLite file or PostgreSQL schema) with H6's in-memory FakeRuntime, plus
 * small request helpers. `close` shuts the app, closes the store and drops the database, also after failures.
 */
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest, LightMyRequestResponse } from 'fastify';
import fp from 'fastify-plugin';
import { isObject } from '../../src/support/is-object.js';
import { buildApp, type AppDeps } from '../../src/api/app.js';
import { FakeRuntime } from '../../src/runtimes/fake/fake-runtime.js';
import type { Runtime } from '../../src/runtimes/runtime.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openTestStore, type StoreKindName, type TestDatabase } from './stores.js';

export interface Harness {
  readonly app: FastifyInstance;
  readonly store: KyselyStore;
  readonly runtime: Runtime;
  readonly database: TestDatabase;
  close(): Promise<void>;
}

export async function openHarness(
  kind: StoreKindName,
  extra: Partial<Omit<AppDeps, 'store'>> = {},
): Promise<Harness> {
  const opened = await openTestStore(kind);
  const runtime = extra.runtime ?? new FakeRuntime();
  try {
    const app = await buildApp({
      ...extra,
      store: opened.store,
      runtime,
      pages: withContractCheck(extra.pages),
    });
    return {
      app,
      store: opened.store,
      runtime,
      database: opened.database,
      async close() {
        await app.close();
        await opened.dispose();
      },
    };
  } catch (error) {
    await opened.dispose();
    throw error;
  }
}

/**
 * Every answer the routes' response schemas serialize must say exactly what the handler returned: Fastify's
 * serializer drops fields a schema does not name and coerces types, silently. The harness compares the two on
 * every response of every API test and answers 500 with the difference instead, so the test that met it fails.
 */
function withContractCheck(pages: FastifyPluginAsync | undefined): FastifyPluginAsync {
  return fp(async (app) => {
    const returned = new WeakMap<FastifyRequest, unknown>();
    app.addHook('preSerialization', async (request, _reply, payload) => {
      returned.set(request, payload);
      return payload;
    });
    app.addHook('onSend', async (request, reply, payload) => {
      if (!returned.has(request) || typeof payload !== 'string') return payload;
      const expected: unknown = JSON.parse(JSON.stringify(returned.get(request)) ?? 'null');
      const served: unknown = JSON.parse(payload);
      if (isDeepStrictEqual(expected, served)) return payload;
      void reply.code(500);
      const where = firstDifference(expected, served, 'answer');
      return JSON.stringify({
        messages: { error: [`${request.method} ${request.url}: the response schema changed ${where}`] },
      });
    });
    if (pages) await app.register(pages);
  });
}

/** The first path where `a` and `b` differ, with both values. */
function firstDifference(a: unknown, b: unknown, path: string): string {
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (!isDeepStrictEqual(a[key], b[key])) return firstDifference(a[key], b[key], `${path}.${key}`);
  }
  return `${path}: returned ${JSON.stringify(a) ?? 'nothing'}, served ${JSON.stringify(b) ?? 'nothing'}`;
}

export interface Body {
  data?: unknown;
  messages: { info?: string[]; warning?: string[]; error?: string[] };
}

export function body(response: LightMyRequestResponse): Body {
  return response.json<Body>();
}

export function header(tool: string): Record<string, string> {
  return { 'x-toolforge-tool': tool };
}

/** A valid v1beta2 config: a continuous web component and a scheduled one reusing its image. */
export function webConfig(): Record<string, unknown> {
  return {
    config_version: 'v1beta2',
    components: {
      web: {
        component_type: 'continuous',
        build: {
          repository: 'https://gitlab.wikimedia.org/toolforge-repos/sample-static-buildpack-app',
          ref: 'main',
        },
        run: { command: 'web', port: 8000, health_check_http: '/healthz' },
      },
      cron: {
        component_type: 'scheduled',
        build: { reuse_from: 'web' },
        run: { command: 'cleanup', schedule: '@daily' },
      },
    },
  };
}

export async function postConfig(
  app: FastifyInstance,
  tool: string,
  config: unknown = webConfig(),
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `/v1/tool/${tool}/config`,
    headers: header(tool),
    payload: config as object,
  });
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Every route under `/v1/tool/{toolname}`, `{id}` standing for a deployment id: what per-tool guards cover. */
export const TOOL_ROUTES: ReadonlyArray<readonly [Method, string]> = [
  ['GET', '/config'],
  ['POST', '/config'],
  ['DELETE', '/config'],
  ['GET', '/config/generate'],
  ['GET', '/deployment'],
  ['POST', '/deployment'],
  ['GET', '/deployment/latest'],
  ['GET', '/deployment/{id}'],
  ['DELETE', '/deployment/{id}'],
  ['PUT', '/deployment/{id}/cancel'],
  ['PUT', '/deployment/latest/cancel'],
  ['GET', '/deployment/{id}/result'],
  ['GET', '/deployment/{id}/events'],
  ['GET', '/deployment/token'],
  ['POST', '/deployment/token'],
  ['PUT', '/deployment/token'],
  ['DELETE', '/deployment/token'],
  ['GET', '/status'],
  ['POST', '/deploy'],
];
