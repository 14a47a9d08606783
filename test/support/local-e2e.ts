/**
 * End-to-end harness for the local runtime: a components instance started in-process (temp data dir, SQLite,
 * LocalRuntime with short timings, executor with short waits), real git repositories with a tiny Node HTTP app
 * and a cron script, and the deploy round trip through the real HTTP API (POST /deploy, then long-poll
 * GET /deployment/{id}?wait=60). Everything is removed by `close()`, also after a failed test.
 */
import { planFromJson } from '../../src/plan/read-plan-json.js';
import { join } from 'node:path';
import { startInstance, type RunningInstance } from '../../src/instance/start-instance.js';
import { LocalRuntime, type LocalRuntimeOptions } from '../../src/runtimes/local/local-runtime.js';
import { freePort } from '../../src/runtimes/local/jobs/free-port.js';
import { commitFiles, FAST_TIMINGS, tempDir, waitFor } from './local-kit.js';
import type { Plan } from '../../src/model/plan.js';

export { commitFiles, waitFor };
export { isAlive } from './local-kit.js';

/** A web app: `web` serves /healthz and /, `worker` serves another page, `crash` dies at once. */
export const APP_FILES: Readonly<Record<string, string>> = {
  Procfile: 'web: node server.js\nworker: node server.js worker\ncrash: node crash.js\n',
  'server.js': [
    "const http = require('node:http');",
    "const role = process.argv[2] || 'web';",
    'const version = process.env.APP_VERSION || "1";',
    'http',
    '  .createServer((req, res) => {',
    "    if (req.url === '/healthz') return res.end('ok');",
    '    res.end(`${role} v${version} ${process.env.API_URL || ""}`);',
    '  })',
    "  .listen(Number(process.env.PORT || 8000), '127.0.0.1');",
    '',
  ].join('\n'),
  'crash.js': "console.error('boom: cannot start');\nprocess.exit(3);\n",
};

/** A cron repository: `cleanup` exits at once, `hang` never ends on its own (for time-outs). */
export const CRON_FILES: Readonly<Record<string, string>> = {
  Procfile: 'cleanup: node cleanup.js\nhang: node hang.js\n',
  'cleanup.js': "console.log('cleaned');\n",
  'hang.js': "console.log('hanging');\nsetInterval(() => {}, 1000);\n",
};

export interface Repos {
  readonly app: string;
  readonly cron: string;
}

type Raw = Record<string, unknown>;

export interface DeployOutcome {
  readonly id: string;
  readonly status: string;
  readonly longStatus: string;
  readonly tasks: ReadonlyArray<{
    id: string;
    kind: string;
    component: string;
    state: string;
    reason?: string;
    started_at?: string;
    finished_at?: string;
  }>;
  readonly plan: Plan;
}

export interface E2e {
  readonly tool: string;
  readonly dir: string;
  readonly repos: Repos;
  readonly instance: RunningInstance;
  readonly runtime: LocalRuntime;
  /** Ports picked for this run, by component name. */
  port(name: string): Promise<number>;
  /** POST /deploy `?only-plan=true`: the plan, nothing changes. */
  plan(config: Raw): Promise<Plan>;
  /** POST /deploy, then long-poll the deployment until it is final. */
  deploy(config: Raw): Promise<DeployOutcome>;
  pids(name: string): number[];
  close(): Promise<void>;
}

async function call(url: string, tool: string, method: string, path: string, body?: unknown): Promise<Raw> {
  const response = await fetch(`${url}/v1/tool/${tool}${path}`, {
    method,
    headers: {
      'x-toolforge-tool': tool,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Raw;
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json.data as Raw;
}

export async function openE2e(
  tool = 'e2etool',
  runtimeOptions: Omit<LocalRuntimeOptions, 'dataDir'> = {},
): Promise<E2e> {
  const tmp = tempDir('e2e');
  const repos = { app: join(tmp.path, 'app'), cron: join(tmp.path, 'cron') };
  commitFiles(repos.app, APP_FILES, 'app');
  commitFiles(repos.cron, CRON_FILES, 'cron');
  const dataDir = join(tmp.path, 'data');
  const runtime = new LocalRuntime({ dataDir, timings: FAST_TIMINGS, ...runtimeOptions });
  let instance: RunningInstance;
  try {
    instance = await startInstance({
      runtime,
      dataDir,
      host: '127.0.0.1',
      port: 0,
      executor: {
        stableForMs: 300,
        waitTimeoutMs: 30_000,
        tick: { minMs: 50, maxMs: 300 },
        retryBaseMs: 100,
      },
    });
  } catch (error) {
    await runtime.shutdown();
    tmp.remove();
    throw error;
  }
  const ports = new Map<string, number>();
  const { url } = instance;
  return {
    tool,
    dir: tmp.path,
    repos,
    instance,
    runtime,
    async port(name) {
      let port = ports.get(name);
      if (port === undefined) ports.set(name, (port = await freePort('127.0.0.1')));
      return port;
    },
    async plan(config) {
      return planFromJson(await call(url, tool, 'POST', '/deploy?only-plan=true', config));
    },
    async deploy(config) {
      const created = await call(url, tool, 'POST', '/deploy', config);
      const id = String(created.deploy_id);
      const final = await call(url, tool, 'GET', `/deployment/${id}?wait=60`);
      return {
        id,
        status: String(final.status),
        longStatus: String(final.long_status),
        tasks: final.tasks as DeployOutcome['tasks'],
        plan: created.plan as Plan,
      };
    },
    pids: (name) => runtime.jobPids(tool, name).slice().sort(),
    async close() {
      try {
        await instance.close();
      } finally {
        tmp.remove();
      }
    },
  };
}

/** Task `id` of a deployment, or a clear failure naming what exists. */
export function task(outcome: DeployOutcome, id: string): DeployOutcome['tasks'][number] {
  const found = outcome.tasks.find((t) => t.id === id);
  if (!found) throw new Error(`no task ${id} in ${outcome.tasks.map((t) => t.id).join(', ')}`);
  return found;
}

/** GET on loopback; the body, or undefined when nothing answers. */
export async function httpText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}
