/**
 * A faithful stand-in for Toolforge's builds-api and jobs-api behind the API gateway: a real HTTP server on
 * 127.0.0.1 serving `/builds/v1/…` and `/jobs/v1/…`, validating every request against the project's wire
 * contract (`../wire/`) and answering with the services' own shapes, states and error texts, no more: like
 * jobs-api it never reports readiness, and a crashing job reads as it does there (`pending`, `restarted (n)`).
 * Used by tests, benches and `toolforge-components simulate`.
 *
 * Resolved refs: builds resolve their ref with `git ls-remote` for local repositories (paths, file:// URLs) and
 * derive a stable fake commit for other URLs (option `builds.resolveRefs`), so tests get real commits and
 * benches need no network.
 */
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerBuildsRoutes } from './builds-routes.js';
import { registerJobsRoutes } from './jobs-routes.js';
import { registerLogsRoutes } from './logs-routes.js';
import { createPrng, type Prng } from '../support/seeded-random.js';
import type { SimContext } from './sim-context.js';
import type { FaultOptions, SimulatorBehaviour, SimulatorOptions } from './simulator-options.js';
import { SimulatorState } from './simulator-state.js';
import type { SimulatorStats } from './simulator-state.js';

export type { SimulatorOptions } from './simulator-options.js';
export type { SimulatorStats } from './simulator-state.js';

export interface Simulator {
  /** Base URL, the API gateway's: builds-api at `${url}/builds/v1`, jobs-api at `${url}/jobs/v1`. */
  readonly url: string;
  readonly state: SimulatorState;
  stats(): SimulatorStats;
  resetStats(): void;
  /** Change behaviour (build times, failures, faults…) while running; fields given replace the current ones. */
  configure(change: Partial<SimulatorBehaviour>): void;
  close(): Promise<void>;
}

function latency(faults: FaultOptions, prng: Prng): number {
  const l = faults.latencyMs;
  if (l === undefined) return 0;
  return typeof l === 'number' ? l : l[0] + prng.next() * (l[1] - l[0]);
}

function apiOf(url: string): 'builds' | 'jobs' | undefined {
  if (url.startsWith('/builds/')) return 'builds';
  if (url.startsWith('/jobs/')) return 'jobs';
  return undefined;
}

/** Faults: latency and injected errors before processing; slow responses after (the work is done). */
function installFaults(app: FastifyInstance, ctx: SimContext): void {
  const slow = new WeakSet<object>();
  let failed = 0;
  let failFirstSeen: FaultOptions | undefined;
  app.addHook('onRequest', async (request, reply) => {
    const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
    ctx.state.countRequest(route);
    if (!apiOf(request.url) || request.url.endsWith('/healthz')) return undefined;
    const faults = ctx.behaviour.faults;
    if (faults.onlyRoutes && !faults.onlyRoutes.includes(route)) return undefined;
    // `failFirst` counts from the moment these fault options were set.
    if (failFirstSeen !== faults) [failFirstSeen, failed] = [faults, 0];
    const delay = latency(faults, ctx.prng);
    if (delay > 0) await sleep(delay);
    const forced = failed < (faults.failFirst ?? 0);
    if (forced || ctx.prng.next() < (faults.errorRate ?? 0)) {
      failed++;
      ctx.state.count('injectedErrors');
      const status = faults.errorStatus ?? 503;
      return reply.code(status).send({ error: [`Simulated failure (HTTP ${status})`] });
    }
    if (ctx.prng.next() < (faults.slowRate ?? 0)) slow.add(request.raw);
    return undefined;
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    if (!slow.has(request.raw)) return payload;
    ctx.state.count('slowResponses');
    await sleep(ctx.behaviour.faults.slowMs ?? 30_000);
    return payload;
  });
}

/** Body-parsing errors in each service's own shape instead of Fastify's. */
function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (apiOf(request.url) === 'jobs' && status === 400) {
      return reply.code(422).send({ detail: [{ type: 'json_invalid', loc: ['body'], msg: error.message }] });
    }
    return reply.code(status).send({ info: [], warning: [], error: [error.message] });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ detail: 'Not Found', path: request.url }),
  );
}

/** Like FastAPI: an empty JSON body (e.g. `POST …/restart` sent with a content type) is no body, not an error. */
function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (error) {
      const failure = error as Error & { statusCode?: number };
      failure.statusCode = 400;
      done(failure, undefined);
    }
  });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const behaviour: SimulatorBehaviour = {
    builds: options.builds ?? {},
    jobs: options.jobs ?? {},
    faults: options.faults ?? {},
  };
  const state = new SimulatorState();
  const ctx: SimContext = {
    state,
    behaviour,
    prng: createPrng(options.seed ?? 1),
    now: options.now ?? Date.now,
  };
  const app = Fastify({
    logger: options.logger ?? false,
    routerOptions: { ignoreTrailingSlash: true },
    forceCloseConnections: true,
  });
  installJsonParser(app);
  installFaults(app, ctx);
  installErrorHandler(app);
  registerBuildsRoutes(app, ctx);
  registerJobsRoutes(app, ctx);
  registerLogsRoutes(app, ctx);
  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  return {
    url: address.replace('[::1]', '127.0.0.1'),
    state,
    stats: () => state.stats(),
    resetStats: () => state.resetStats(),
    configure(change) {
      if (change.builds) behaviour.builds = change.builds;
      if (change.jobs) behaviour.jobs = change.jobs;
      if (change.faults) behaviour.faults = change.faults;
    },
    close: () => app.close(),
  };
}
