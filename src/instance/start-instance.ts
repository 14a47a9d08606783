/**
 * One running components service: store + runtime + executor + HTTP API, wired together. `serve` runs it with
 * the runtime it is told to use; `up` runs it with the local runtime and the embedded SQLite file. Closing it
 * stops in order: no new requests, the executor lets in-flight calls finish and releases its leases, the local
 * runtime stops every process it started, then the store closes.
 */
import { mkdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { startServer } from '../api/server.js';
import { taskDurationSeconds } from '../api/metrics.js';
import { Executor } from '../execute/executor.js';
import type { ExecutorOptions } from '../execute/executor-options.js';
import { LocalRuntime } from '../runtimes/local/local-runtime.js';
import { toolforgeRuntimeFromEnvironment } from '../runtimes/toolforge/toolforge-environment.js';
import type { Runtime } from '../runtimes/runtime.js';
import { GuardedRuntime } from '../runtimes/guarded-runtime.js';
import { createStore } from '../store/create-store.js';
import type { Store } from '../store/store.js';
import type { RuntimeKind } from './runtime-kind.js';
import { rekeyTokens, type TokenKeyring } from '../api/token-keyring.js';
import { DeploymentEventReporter, type Warn } from '../api/deployment-event-reporter.js';
import { NO_DEPLOYMENT_EVENTS, type DeploymentEventSink } from '../execute/deployment-events.js';
import { loadTokenKeyring } from './token-key.js';
import { LocalEventSink } from './local-event-sink.js';
import { ToolforgeEventSink } from './toolforge-event-sink.js';

export interface InstanceOptions {
  readonly runtime: RuntimeKind | Runtime;
  /** Where the local runtime keeps images, state and logs, and where the default SQLite file lives. */
  readonly dataDir: string;
  /** SQLite path or postgres:// URL; default `<dataDir>/components.db`. */
  readonly databaseUrl?: string;
  readonly host?: string;
  readonly port?: number;
  readonly logger?: boolean | object;
  /** Executor tuning (tests and benchmarks shorten the waits). */
  readonly executor?: Omit<ExecutorOptions, 'store' | 'runtime'>;
  /** Seals deploy tokens; default: the key in `<dataDir>/token.key` (created on first use). */
  readonly tokenKeys?: TokenKeyring;
  /**
   * Where deployment events go. Default: the tool's event log in the data dir with the local runtime, the
   * logs service behind the API gateway with `runtime: 'toolforge'`, nowhere for any other runtime object.
   */
  readonly events?: DeploymentEventSink;
  /** Warnings of the background work (an event the logs service did not take, tokens it cannot re-key). */
  readonly warn?: Warn;
}

export interface RunningInstance {
  readonly url: string;
  readonly store: Store;
  readonly runtime: Runtime;
  readonly executor: Executor;
  /** Sends the deployment events; `flush()` waits for those handed over so far. */
  readonly events: DeploymentEventReporter;
  close(): Promise<void>;
}

function createRuntime(kind: RuntimeKind, dataDir: string): Runtime {
  if (kind === 'local') return new LocalRuntime({ dataDir });
  // One layer owns time limits and retries (the guard, shared by the API and the executor); the HTTP client
  // makes single attempts, so a call is never retried by two layers at once.
  return new GuardedRuntime(toolforgeRuntimeFromEnvironment({}, { retries: 0 }));
}

function defaultEventSink(
  kind: RuntimeKind | Runtime,
  runtime: Runtime,
  dataDir: string,
): DeploymentEventSink {
  if (runtime instanceof LocalRuntime) return new LocalEventSink(dataDir);
  // A runtime object other than the local one brings no gateway address: events only when given a sink.
  return kind === 'toolforge' ? ToolforgeEventSink.fromEnvironment() : NO_DEPLOYMENT_EVENTS;
}

const EVENT_FLUSH_ON_CLOSE_MS = 10_000;

function defaultWarn(message: string): void {
  process.stderr.write(`toolforge-components: warning: ${message}\n`);
}

/** Re-seals tokens under the current key (a rotation in progress) and says what it could not. */
async function rekeyStoredTokens(store: Store, keys: TokenKeyring, warn: Warn): Promise<void> {
  const report = await rekeyTokens(store, keys);
  if (report.rekeyed.length > 0) {
    warn(`re-encrypted ${report.rekeyed.length} deploy token(s) under the current token key`);
  }
  if (report.unreadable.length > 0) {
    warn(
      `${report.unreadable.length} deploy token(s) are encrypted with a key this server was not given ` +
        `(tools: ${report.unreadable.join(', ')}): pass it with --previous-token-key-file, or refresh them`,
    );
  }
}

const isPostgres = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

/**
 * The executor's lease owner. A SQLite file serves one server at a time, so its owner is the file itself: a
 * server restarted after a crash takes its deployments back at once instead of waiting for its own dead lease
 * to expire. With PostgreSQL every replica is its own owner (random, or `--replica-id`).
 */
function leaseOwner(databaseUrl: string, explicit: string | undefined): string | undefined {
  if (explicit) return explicit;
  return isPostgres(databaseUrl) ? undefined : `sqlite:${resolve(databaseUrl.replace(/^sqlite:/, ''))}`;
}

export async function startInstance(options: InstanceOptions): Promise<RunningInstance> {
  mkdirSync(options.dataDir, { recursive: true });
  const databaseUrl = options.databaseUrl ?? join(options.dataDir, 'components.db');
  const store = await createStore(databaseUrl);
  const owner = leaseOwner(databaseUrl, options.executor?.owner);
  const runtime =
    typeof options.runtime === 'string' ? createRuntime(options.runtime, options.dataDir) : options.runtime;
  const warn = options.warn ?? defaultWarn;
  let sink: DeploymentEventSink | undefined;
  try {
    const tokenKeys = options.tokenKeys ?? loadTokenKeyring({ dataDir: options.dataDir });
    await rekeyStoredTokens(store, tokenKeys, warn);
    sink = options.events ?? defaultEventSink(options.runtime, runtime, options.dataDir);
    const events = new DeploymentEventReporter({ store, sink, warn });
    // The local runtime brings back the components it ran before this process stopped.
    if (runtime instanceof LocalRuntime) await runtime.start();
    const executor = new Executor({
      onTaskFinished: (task, ms) =>
        taskDurationSeconds.observe({ kind: task.kind, state: task.state }, ms / 1000),
      onDeploymentFinished: (deployment) => events.report(deployment),
      ...options.executor,
      ...(owner ? { owner } : {}),
      store,
      runtime,
    });
    const server = await startServer({
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      deps: {
        store,
        runtime,
        scheduler: executor,
        logger: options.logger ?? false,
        tokenKeys,
        events,
        // Toolforge's "beta feature" warning means nothing for components running on this machine.
        betaWarning: !(runtime instanceof LocalRuntime),
        pages: (await import('../web/dashboard.js')).webDashboard,
      },
    });
    await executor.start();
    let closing: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      await server.close();
      await executor.stop();
      // Events already handed over get a bounded moment: a hanging logs service must not hold up a shutdown.
      await Promise.race([events.flush(), delay(EVENT_FLUSH_ON_CLOSE_MS, undefined, { ref: false })]);
      await sink?.close?.();
      if (runtime instanceof LocalRuntime) await runtime.shutdown();
      else await runtime.close();
      await store.close();
    };
    return { url: server.url, store, runtime, executor, events, close: () => (closing ??= close()) };
  } catch (error) {
    await sink?.close?.();
    if (runtime instanceof LocalRuntime) await runtime.shutdown();
    await store.close();
    throw error;
  }
}
