/**
 * A real components service for the dashboard tests: startInstance on a SQLite file in a temporary folder,
 * listening on 127.0.0.1, with the in-memory fake runtime shaped per component (a slow build, a build that
 * ends only when the test moves the runtime's clock on), and helpers that drive it through the API as the CLI does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { FakeRuntime } from '../../src/runtimes/fake/fake-runtime.js';
import type { FakeRuntimeOptions } from '../../src/runtimes/fake/fake-options.js';

export interface DashboardServer {
  readonly url: string;
  readonly instance: RunningInstance;
  readonly runtime: FakeRuntime;
  /** Moves the fake runtime's clock on: a long build ends when the test says so, not when a timer does. */
  advanceRuntimeClock(ms: number): void;
  close(): Promise<void>;
}

export async function startDashboardServer(options: FakeRuntimeOptions = {}): Promise<DashboardServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tfc-web-'));
  let offset = 0;
  const runtime = new FakeRuntime({
    buildMs: 50,
    jobStartMs: 20,
    jobHealthyMs: 20,
    now: () => Date.now() + offset,
    ...options,
  });
  const instance = await startInstance({
    runtime,
    dataDir,
    executor: { stableForMs: 50, tick: { minMs: 10, maxMs: 50 } },
  });
  return {
    url: instance.url,
    instance,
    runtime,
    advanceRuntimeClock(ms) {
      offset += ms;
    },
    async close() {
      await instance.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const gateway = (tool: string): Record<string, string> => ({ 'x-toolforge-tool': tool });

interface Envelope {
  data?: Record<string, unknown>;
  messages: { error?: string[]; warning?: string[] };
}

export async function api(
  server: DashboardServer,
  tool: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Envelope }> {
  const response = await fetch(`${server.url}/v1/tool/${tool}${path}`, {
    method,
    headers: { ...gateway(tool), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Envelope };
}

/** Stores `config` and starts a deployment of it; `wait` seconds long-polls until it ends. */
export async function deploy(
  server: DashboardServer,
  tool: string,
  config: unknown,
  wait = 0,
): Promise<string> {
  const stored = await api(server, tool, 'POST', '/config', config);
  if (stored.status !== 200) throw new Error(`config refused: ${JSON.stringify(stored.body.messages)}`);
  const created = await api(server, tool, 'POST', `/deployment?wait=${wait}`);
  if (created.status !== 200) throw new Error(`deploy refused: ${JSON.stringify(created.body.messages)}`);
  return String(created.body.data?.deploy_id);
}

/** A v1beta2 config: each name a continuous component built from its own repository, `wait_for` as given. */
export function config(
  components: readonly string[],
  extra: Record<string, Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    config_version: 'v1beta2',
    components: Object.fromEntries(
      components.map((name) => [
        name,
        {
          component_type: 'continuous',
          build: { repository: `https://gitlab.wikimedia.org/toolforge-repos/${name}`, ref: 'main' },
          run: { command: 'web', port: 8000 },
          ...extra[name],
        },
      ]),
    ),
  };
}
