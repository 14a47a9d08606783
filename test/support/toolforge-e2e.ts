/**
 * End-to-end support for the Toolforge tests (test/e2e/toolforge-*.test.ts): real git repositories in temp
 * dirs, the toolhunt example pointed at them, server processes (`serve` or `toolforge-instance.ts`) spawned on
 * 127.0.0.1 and stopped by pid, and a small client of the components API.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_MAIN, spawnServer, type ServerProcess } from './server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const INSTANCE_SCRIPT = join(ROOT, 'test/support/toolforge-instance.ts');
export const TOOLHUNT_EXAMPLE = join(ROOT, 'examples/toolhunt/toolforge.yaml');

/** A temp dir removed by `dispose`, whatever happened. */
export function tempDir(prefix: string): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** A git repository with one commit on `main`; returns its path (a repository URL builds-api can ls-remote). */
export function makeGitRepo(parent: string, name: string): string {
  const path = join(parent, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'Procfile'), `web: echo ${name}\n`);
  const git = (...args: string[]): void => {
    execFileSync('git', args, {
      cwd: path,
      stdio: 'ignore',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'e2e',
        GIT_AUTHOR_EMAIL: 'e2e@example.org',
        GIT_COMMITTER_NAME: 'e2e',
        GIT_COMMITTER_EMAIL: 'e2e@example.org',
      },
    });
  };
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
  return path;
}

/** The toolhunt example with its two repositories replaced by real git repositories under `dir`. */
export function writeToolhuntConfig(dir: string): { file: string; api: string; cleanup: string } {
  const api = makeGitRepo(dir, 'toolhunt');
  const cleanup = makeGitRepo(dir, 'toolhunt-cleanup');
  const text = readFileSync(TOOLHUNT_EXAMPLE, 'utf8')
    .replace('repository: ./toolhunt-cleanup', `repository: ${cleanup}`)
    .replace('repository: ./toolhunt\n', `repository: ${api}\n`);
  if (!text.includes(api) || !text.includes(cleanup)) throw new Error('toolhunt example changed shape');
  const file = join(dir, 'toolforge.yaml');
  writeFileSync(file, text);
  return { file, api, cleanup };
}

/**
 * The real `serve --runtime toolforge` command on a database, talking to the simulator at `toolforgeUrl`.
 * jobs-api reports no health, so a health-checked job counts as ready after running a while without a restart:
 * 0.2 s here (`TOOLFORGE_COMPONENTS_UNKNOWN_HEALTH_WINDOW`), 5 s by default.
 */
export function spawnServe(database: string, toolforgeUrl: string, home: string): Promise<ServerProcess> {
  return spawnServer(
    [CLI_MAIN, 'serve', '--runtime', 'toolforge', '--database', database, '--port', '0'],
    {
      HOME: home,
      TOOLFORGE_COMPONENTS_HOME: join(home, 'components'),
      TOOL_TOOLFORGE_API_URL: toolforgeUrl,
      TOOLFORGE_COMPONENTS_UNKNOWN_HEALTH_WINDOW: '0.2',
    },
    /serving on (http:\/\/127\.0\.0\.1:\d+)/,
  );
}

/** Executor and runtime tuning the instance script accepts (`serve` has no flags for them). */
export interface InstanceTuning {
  readonly executor?: Readonly<Record<string, unknown>>;
  /** The Toolforge runtime's per-request timeout (it makes one attempt per call: retries are the guard's). */
  readonly runtime?: { readonly timeoutMs?: number };
  /** The guard's time limit and read retries (`GuardOptions`). */
  readonly guard?: {
    readonly callTimeoutMs?: number;
    readonly retryBaseMs?: number;
    readonly readAttempts?: number;
  };
}

/** `test/support/toolforge-instance.ts`: startInstance with the Toolforge runtime and short executor times. */
export function spawnInstance(
  database: string,
  toolforgeUrl: string,
  home: string,
  tuning: InstanceTuning,
): Promise<ServerProcess> {
  return spawnServer(
    [INSTANCE_SCRIPT],
    {
      HOME: home,
      E2E_DATABASE: database,
      E2E_DATA_DIR: join(home, 'components'),
      E2E_TUNING: JSON.stringify(tuning),
      TOOL_TOOLFORGE_API_URL: toolforgeUrl,
    },
    /listening (http:\/\/127\.0\.0\.1:\d+)/,
  );
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: { data?: unknown; messages?: { error?: string[] } } & Record<string, unknown>;
}

export async function callApi(base: string, method: string, path: string, body?: string): Promise<ApiAnswer> {
  // What the API gateway sets for an authenticated tool.
  const tool = /^\/v1\/tool\/([^/]+)\//.exec(path)?.[1] ?? '';
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'x-toolforge-tool': tool,
      ...(body !== undefined ? { 'content-type': 'application/yaml' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as ApiAnswer['body']) };
}

export interface DeploymentView {
  readonly deploy_id: string;
  readonly status: string;
  readonly long_status: string;
  readonly tasks: ReadonlyArray<{
    id: string;
    state: string;
    reason?: string;
    external_id?: string;
    started_at?: string;
    finished_at?: string;
  }>;
}

/** POST /deploy with a YAML config; returns the new deployment. */
export async function deployYaml(base: string, tool: string, yaml: string): Promise<DeploymentView> {
  const answer = await callApi(base, 'POST', `/v1/tool/${tool}/deploy`, yaml);
  if (answer.status !== 200)
    throw new Error(`deploy answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.data as DeploymentView;
}

export async function getDeployment(
  base: string,
  tool: string,
  id: string,
  waitSeconds = 0,
): Promise<DeploymentView> {
  const answer = await callApi(base, 'GET', `/v1/tool/${tool}/deployment/${id}?wait=${waitSeconds}`);
  if (answer.status !== 200)
    throw new Error(`GET deployment answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.data as DeploymentView;
}

const FINAL = ['successful', 'failed', 'cancelled', 'timed_out'];

/** Long-polls until the deployment is final; throws with its tasks after `timeoutMs`. */
export async function waitFinal(
  base: string,
  tool: string,
  id: string,
  timeoutMs: number,
): Promise<DeploymentView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    const d = await getDeployment(base, tool, id, Math.max(0, Math.min(5, left)));
    if (FINAL.includes(d.status)) return d;
    if (Date.now() >= deadline) throw new Error(`deployment ${id} still ${d.status}:\n${describeTasks(d)}`);
  }
}

/** Polls until `predicate` holds for the deployment (e.g. "a build is running"). */
export async function waitFor(
  base: string,
  tool: string,
  id: string,
  predicate: (d: DeploymentView) => boolean,
  timeoutMs: number,
): Promise<DeploymentView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await getDeployment(base, tool, id);
    if (predicate(d)) return d;
    if (Date.now() >= deadline) throw new Error(`condition not reached for ${id}:\n${describeTasks(d)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function describeTasks(d: DeploymentView): string {
  return [
    `${d.status}: ${d.long_status}`,
    ...d.tasks.map(
      (t) => `  ${t.id} ${t.state} ${t.started_at ?? '-'} → ${t.finished_at ?? '-'} ${t.reason ?? ''}`,
    ),
  ].join('\n');
}

/** How many builds the simulator started per image name for a tool. */
export function buildsPerImage(
  builds: ReadonlyArray<{ parameters: { image_name?: unknown } }>,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of builds) {
    const image = String(b.parameters.image_name);
    counts.set(image, (counts.get(image) ?? 0) + 1);
  }
  return counts;
}
