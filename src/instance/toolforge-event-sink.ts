/**
 * Deployment events to Toolforge's logs service, `POST /logs/v1/tool/{tool}/source/deployments/log`, through
 * the same API gateway, client certificate and HTTP client (ToolforgeHttp) as the builds and jobs calls. Short
 * time-outs and few retries: an event is worth a moment, never a deployment (the reporter logs a failure).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolforgeHttp, type ToolforgeAuth } from '../runtimes/toolforge/toolforge-http.js';
import { backoffMs } from '../runtimes/guarded-runtime.js';
import { RuntimeError } from '../runtimes/runtime.js';
import {
  loadToolforgeEnvironment,
  type EnvironmentOptions,
} from '../runtimes/toolforge/toolforge-environment.js';
import type { DeploymentEventSink, DeploymentLogEvent } from '../execute/deployment-events.js';

export interface ToolforgeEventSinkOptions {
  /** API gateway URL (the runtime's). */
  readonly apiUrl: string;
  readonly auth?: ToolforgeAuth;
  /** Per attempt (default 5 000). */
  readonly timeoutMs?: number;
  /** Extra attempts after 5xx or connection errors (default 2). */
  readonly retries?: number;
  readonly backoffBaseMs?: number;
}

export class ToolforgeEventSink implements DeploymentEventSink {
  readonly #http: ToolforgeHttp;
  readonly #retries: number;
  readonly #backoffBaseMs: number;

  constructor(options: ToolforgeEventSinkOptions) {
    this.#http = new ToolforgeHttp({
      apiUrl: options.apiUrl,
      ...(options.auth ? { auth: options.auth } : {}),
      timeoutMs: options.timeoutMs ?? 5_000,
      userAgent: 'toolforge-components (deployment events)',
    });
    this.#retries = options.retries ?? 2;
    this.#backoffBaseMs = options.backoffBaseMs ?? 250;
  }

  /** Configured like the toolforge CLIs (gateway URL, kubeconfig certificate), as the Toolforge runtime is. */
  static fromEnvironment(options: EnvironmentOptions = {}): ToolforgeEventSink {
    const found = loadToolforgeEnvironment(options);
    return new ToolforgeEventSink({ apiUrl: found.apiUrl, auth: found.auth });
  }

  /** The HTTP client makes one attempt; this sink is no Runtime (no guard above it), so it retries itself. */
  async send(tool: string, event: DeploymentLogEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#http.call({
          api: 'logs',
          method: 'POST',
          path: `/tool/${encodeURIComponent(tool)}/source/deployments/log`,
          tool,
          body: event,
        });
        return;
      } catch (error) {
        // A duplicated log line is harmless; a lost one is what we try to avoid.
        if (!(error instanceof RuntimeError && error.retryable) || attempt > this.#retries) throw error;
        await sleep(backoffMs(attempt, this.#backoffBaseMs, 10_000));
      }
    }
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}
