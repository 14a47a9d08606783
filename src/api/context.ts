/**
 * What every route needs: the dependencies (`AppDeps`) plus defaults, shared upward from one plugin so route
 * plugins declare it as a dependency and a wrongly wired app fails at boot, not on a request.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../store/store.js';
import type { Runtime } from '../runtimes/runtime.js';
import type { DeploymentScheduler } from '../execute/scheduler.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './config-input.js';
import { TokenKeyring } from './token-keyring.js';
import { NO_DEPLOYMENT_EVENTS } from '../execute/deployment-events.js';
import { DeploymentEventReporter } from './deployment-event-reporter.js';
import { ToolCache } from './tool-cache.js';

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
  /** Seals deploy tokens at rest; default: a random in-memory key (tokens cannot be shown after a restart). */
  readonly tokenKeys?: TokenKeyring;
  /** Sends deployment events (Toolforge's logs service, the local event log); default: none are sent. */
  readonly events?: DeploymentEventReporter;
  /**
   * Send upstream's "You are using a beta feature of Toolforge." warning (default true). Off for the local
   * instance: nothing of Toolforge runs there, and the CLI would print it before every answer.
   */
  readonly betaWarning?: boolean;
  /**
   * The web pages (`src/web/dashboard.ts`, docs/dashboard.md), registered beside the API's own routes. Given by
   * the wiring (`src/instance`), since the pages are a layer above the API; without it no pages are served.
   */
  readonly pages?: FastifyPluginAsync;
}

export interface ApiContext {
  readonly store: Store;
  readonly runtime: Runtime;
  readonly scheduler?: DeploymentScheduler;
  readonly now: () => Date;
  readonly limits: ApiLimits;
  readonly tokenKeys: TokenKeyring;
  readonly events: DeploymentEventReporter;
  /** The store's per-tool reads that hot requests repeat (deploy token, stored config, managed components). */
  readonly tools: ToolCache;
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
    tokenKeys: deps.tokenKeys ?? TokenKeyring.ephemeral(),
    events: deps.events ?? new DeploymentEventReporter({ store: deps.store, sink: NO_DEPLOYMENT_EVENTS }),
    tools: new ToolCache(deps.store),
  };
}

export const contextPlugin = fp<{ ctx: ApiContext }>(
  async (app, options) => {
    app.decorate('ctx', options.ctx);
  },
  { name: 'components-context' },
);
