/**
 * API throughput on loopback: requests/s and p99 latency of GET /v1/tool/{t}/deployment/latest, the same
 * deployment by id with a deploy token instead of the gateway header, and POST /v1/tool/{t}/deploy?only-plan=true
 * (the toolhunt example), with 50 concurrent connections for a few seconds each, each next to a bare Fastify
 * hello-world route measured in the same run (ratio = ours / bare). The server uses a SQLite file and the in-memory
 * fake runtime; the load generator is an undici pool in the same process. On a shared machine req/s swings with
 * the load of other processes, so each line also gives the CPU time the process spent per request (server +
 * client), which depends far less on what else runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { startServer } from '../src/api/server.js';
import { createStore } from '../src/store/create-store.js';
import { FakeRuntime } from '../src/runtimes/fake/fake-runtime.js';

const CONNECTIONS = 50;
const DURATION_MS = 3000;
const WARMUP_MS = 500;
const TOOL = 'toolhunt';

interface Target {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

interface Figures {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** Process CPU time (user + system) per request, in µs: server and load generator together. */
  readonly cpuPerRequest: number;
}

async function load(origin: string, target: Target, durationMs: number): Promise<Figures> {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const response = await pool.request({
          method: target.method,
          path: target.path,
          headers: target.headers,
          body: target.body,
        });
        await response.body.dump();
        if (response.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (performance.now() - began) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    errors,
    cpuPerRequest: (cpu.user + cpu.system) / Math.max(latencies.length, 1),
  };
}

async function measure(origin: string, target: Target): Promise<Figures> {
  await load(origin, target, WARMUP_MS);
  return load(origin, target, DURATION_MS);
}

function line(name: string, ours: Figures, bare: Figures): string {
  const fmt = (f: Figures): string =>
    `${f.perSecond.toFixed(0).padStart(6)} req/s  p99 ${f.p99.toFixed(1).padStart(6)} ms  ` +
    `cpu ${f.cpuPerRequest.toFixed(0).padStart(5)} µs/req`;
  return (
    `${name.padEnd(44)} ${fmt(ours)}${ours.errors ? ` (${ours.errors} errors)` : ''}   | hello-world ${fmt(bare)}` +
    `   | ratio ${(ours.perSecond / bare.perSecond).toFixed(2)}× req/s, ${(ours.p99 / bare.p99).toFixed(2)}× p99, ` +
    `${(bare.cpuPerRequest / ours.cpuPerRequest).toFixed(2)}× cpu/req`
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tfc-api-bench-'));
  const store = await createStore(join(dir, 'components.db'));
  const server = await startServer({ deps: { store, runtime: new FakeRuntime() } });
  const bare = Fastify();
  bare.get('/hello', async () => ({ hello: 'world' }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const bareOrigin = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}`;
  try {
    const headers = { 'x-toolforge-tool': TOOL };
    const toolhunt = readFileSync(new URL('../examples/toolhunt/toolforge.yaml', import.meta.url), 'utf8');
    const setup = await fetch(`${server.url}/v1/tool/${TOOL}/config`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/yaml' },
      body: toolhunt,
    });
    if (!setup.ok) throw new Error(`config: ${setup.status} ${await setup.text()}`);
    const created = await fetch(`${server.url}/v1/tool/${TOOL}/deployment`, { method: 'POST', headers });
    if (!created.ok) throw new Error(`deployment: ${created.status} ${await created.text()}`);
    const deployId = ((await created.json()) as { data: { deploy_id: string } }).data.deploy_id;
    const issued = await fetch(`${server.url}/v1/tool/${TOOL}/deployment/token`, { method: 'POST', headers });
    if (!issued.ok) throw new Error(`token: ${issued.status} ${await issued.text()}`);
    const token = ((await issued.json()) as { data: { token: string } }).data.token;

    console.log(
      `${CONNECTIONS} connections, ${DURATION_MS / 1000} s each (after ${WARMUP_MS} ms warm-up), SQLite + fake runtime`,
    );
    const hello: Target = { method: 'GET', path: '/hello' };
    const latest = await measure(server.url, {
      method: 'GET',
      path: `/v1/tool/${TOOL}/deployment/latest`,
      headers,
    });
    const bareForLatest = await measure(bareOrigin, hello);
    console.log(line('GET  /v1/tool/{t}/deployment/latest', latest, bareForLatest));
    // CI's way in: no gateway header, the deploy token in the query (checked against the stored one).
    const byToken = await measure(server.url, {
      method: 'GET',
      path: `/v1/tool/${TOOL}/deployment/${deployId}?token=${token}`,
    });
    const bareForToken = await measure(bareOrigin, hello);
    console.log(line('GET  /v1/tool/{t}/deployment/{id}?token=', byToken, bareForToken));
    const plan = await measure(server.url, {
      method: 'POST',
      path: `/v1/tool/${TOOL}/deploy?only-plan=true`,
      headers: { ...headers, 'content-type': 'application/yaml' },
      body: toolhunt,
    });
    const bareForPlan = await measure(bareOrigin, hello);
    console.log(line('POST /v1/tool/{t}/deploy?only-plan=true', plan, bareForPlan));
  } finally {
    await bare.close();
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
