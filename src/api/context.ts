/**
 * What every route needs: the dependencies (`AppDeps`) plus defaults, shared upward from one plugin so route
 * plugins declare it as a dependency and a wrongly wired app fails at boot, not on a request.
 */
import fp from 'fastify-plugin';
import type { Store } from '../store/store.js';
import type { Runtime } from '../runtimes/runtime.js';
import type { DeploymentScheduler } from '../execute/scheduler.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './config-input.js';

export interface ApiLimits extends InputLimits {
  /** Largest request body in bytes (413 above). */
  readonly bodyLimit: number;
  /** Longest `?wait=` long-poll in seconds. */
  readonly maxWaitSeconds: number;
  /** Deployments kept per tool (upstream: 25). */
  readonly retainDeployments: number;
  /** Pending/running deployments older than this become `timed_out` (upstream: 1 h). */
  readonly staleAfterMs: number;
  /** Token lifetime (upstream: 365 days). */
  readonly tokenLifetimeMs: number;
  /** How often long-polls and event streams look at the store again. */
  readonly pollIntervalMs: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  ...DEFAULT_INPUT_LIMITS,
  bodyLimit: 1024 * 1024,
  maxWaitSeconds: 300,
  retainDeployments: 25,
  staleAfterMs: 60 * 60 * 1000,
  tokenLifetimeMs: 365 * 24 * 60 * 60 * 1000,
  pollIntervalMs: 200,
};

export interface AppDeps {
  readonly store: Store;
  readonly runtime: Runtime;
  readonly scheduler?: DeploymentScheduler;
  readonly now?: () => Date;
  /** `false` (default in tests) or a pino/Fastify logger option object; `true` logs requests as JSON. */
  readonly logger?: boolean | object;
  readonly limits?: Partial<ApiLimits>;
}

export interface ApiContext {
  readonly store: Store;
  readonly runtime: Runtime;
  readonly scheduler?: DeploymentScheduler;
  readonly now: () => Date;
  readonly limits: ApiLimits;
  /** Aborted when the server starts closing: long-polls answer and event streams end. */
  readonly shutdown: AbortSignal;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: ApiContext;
  }
  interface FastifyRequest {
    /** The request body exactly as received (for JSON position errors and YAML). */
    rawBody?: string;
  }
  interface FastifyContextConfig {
    /** Who may call the route: gateway header, header or deploy token, or anyone. */
    auth?: 'header' | 'header-or-token' | 'none';
  }
}

export function resolveContext(deps: AppDeps, shutdown: AbortSignal): ApiContext {
  return {
    shutdown,
    store: deps.store,
    runtime: deps.runtime,
    ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
    now: deps.now ?? (() => new Date()),
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
  };
}

export const contextPlugin = fp<{ ctx: ApiContext }>(
  async (app, options) => {
    app.decorate('ctx', options.ctx);
  },
  { name: 'components-context' },
);
