/**
 * Dashboard render time: GET /tools/<tool> (the tool page: runtime observation, status of every component,
 * the undeployed-changes check and the deployment history) for a tool with 50 components and 25 stored
 * deployments, on the local instance's setup (startInstance: SQLite file, HTTP on 127.0.0.1) with the
 * in-memory fake runtime holding the 50 jobs and their builds, so the figure is the server's own work, not
 * 50 local processes'. Prints min and median over several sequential runs after a warm-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startInstance } from '../src/instance/start-instance.js';
import { FakeRuntime } from '../src/runtimes/fake/fake-runtime.js';

const TOOL = 'bench';
const COMPONENTS = 50;
const DEPLOYMENTS = 25;
const WARMUP = 3;
const RUNS = 20;

function config(): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (let i = 0; i < COMPONENTS; i++) {
    const name = `component-${String(i).padStart(2, '0')}`;
    components[name] = {
      component_type: i % 5 === 4 ? 'scheduled' : 'continuous',
      build: { repository: `https://gitlab.wikimedia.org/toolforge-repos/${name}`, ref: 'main' },
      run: i % 5 === 4 ? { command: 'cleanup', schedule: '@daily' } : { command: 'web', port: 8000 },
      ...(i > 0 && i % 5 !== 4 ? { wait_for: [`component-${String(i - 1).padStart(2, '0')}`] } : {}),
    };
  }
  return { config_version: 'v1beta2', components };
}

async function call(
  url: string,
  method: 'GET' | 'POST',
  body?: string,
): Promise<{ status: number; text: string }> {
  const response = await request(url, {
    method,
    headers: {
      'x-toolforge-tool': TOOL,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: response.statusCode, text: await response.body.text() };
}

async function measure(url: string, label: string): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const start = performance.now();
    const page = await call(url, 'GET');
    const ms = performance.now() - start;
    if (page.status !== 200) throw new Error(`tool page answered ${page.status}`);
    if (i === 0) {
      const rows = page.text.match(/<tr data-component=/g)?.length ?? 0;
      const history = page.text.match(/<tr data-deployment=/g)?.length ?? 0;
      const banner = page.text.includes('Undeployed changes') ? ', with the undeployed-changes plan' : '';
      console.log(
        `${label}: ${rows} components, ${history} deployments${banner}, ${(page.text.length / 1024).toFixed(0)} KiB`,
      );
    }
    if (i >= WARMUP) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  console.log(
    `  GET ${new URL(url).pathname} over ${RUNS} runs: min ${(times[0] ?? 0).toFixed(1)} ms, median ${median.toFixed(1)} ms`,
  );
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tfc-web-bench-'));
  const instance = await startInstance({
    runtime: new FakeRuntime({ buildMs: 1, jobStartMs: 1, jobHealthyMs: 1 }),
    dataDir,
    executor: { stableForMs: 1, tick: { minMs: 1, maxMs: 5 } },
  });
  try {
    const api = `${instance.url}/v1/tool/${TOOL}`;
    const stored = await call(`${api}/config`, 'POST', JSON.stringify(config()));
    if (stored.status !== 200) throw new Error(`config refused: ${stored.text}`);
    for (let i = 0; i < DEPLOYMENTS; i++) {
      // The first deployment builds and creates everything; the others restart every job (force-run).
      const created = await call(`${api}/deployment?wait=120${i > 0 ? '&force-run=true' : ''}`, 'POST');
      if (created.status !== 200 || !created.text.includes('"successful"'))
        throw new Error(`deployment ${i} did not succeed: ${created.text.slice(0, 300)}`);
    }
    await measure(`${instance.url}/tools/${TOOL}`, 'deployed config');
    // A changed config: the page also computes and renders the plan of the undeployed changes.
    const changed = config();
    (changed.components as Record<string, { run: Record<string, unknown> }>)['component-00']!.run.command =
      'web2';
    await call(`${api}/config`, 'POST', JSON.stringify(changed));
    await measure(`${instance.url}/tools/${TOOL}`, 'undeployed changes (plan in the banner)');
  } finally {
    await instance.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
