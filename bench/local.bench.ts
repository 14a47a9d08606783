/**
 * The one-command experience, timed: `toolforge-components up examples/toolhunt/toolforge.yaml` as a real CLI
 * process until every component answers (api /healthz on 8000, dashboard on 5555), three ways:
 *   cold          empty data dir: both images built, then api → (cleanup, flower);
 *   warm images   new data dir holding only a copy of the image store: builds are instant, jobs created;
 *   warm restart  the cold run's data dir after Ctrl-C: the service brings the persisted jobs back;
 * and a no-op redeploy end to end (`deploy FILE` as a CLI process against the running service, until it exits;
 * goal < 1.5 s).
 *
 * The CLI runs compiled, as after `npm ci` (whose `prepare` builds dist/): the sources are transpiled file by
 * file with esbuild into a temp folder laid out like the package (bin/, dist/, package.json, node_modules
 * link), so the shared checkout's dist/ is left alone. (Through tsx, a checkout without a build, every CLI
 * start costs seconds more.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EXAMPLE_DIR = join(ROOT, 'examples', 'toolhunt');
const PORTS = [8000, 5555] as const;
const UP_TIMEOUT_MS = 40_000;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** A compiled copy of the package in `dir`; returns the path of its bin. */
export async function compiledCli(dir: string): Promise<string> {
  await build({
    entryPoints: tsFiles(join(ROOT, 'src')),
    outdir: join(dir, 'dist'),
    outbase: join(ROOT, 'src'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  // Assets the code reads from the source tree at run time (the dashboard's CSS and script).
  cpSync(join(ROOT, 'src', 'web', 'assets'), join(dir, 'src', 'web', 'assets'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return join(dir, 'bin', 'toolforge-components.js');
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function allHealthy(): Promise<boolean> {
  return (
    (await answers(`http://127.0.0.1:${PORTS[0]}/healthz`)) &&
    (await answers(`http://127.0.0.1:${PORTS[1]}/`))
  );
}

interface Up {
  readonly ms: number;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Starts `up FILE --no-logs` in the foreground and times it until both services answer. */
async function upUntilHealthy(bin: string, home: string, file: string): Promise<Up> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'up', file, '--no-logs'], {
    env: { ...process.env, TOOLFORGE_COMPONENTS_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const stopped = await Promise.race([exited(child).then(() => true), sleep(20_000).then(() => false)]);
    if (!stopped) child.kill('SIGKILL');
    await exited(child);
  };
  try {
    // Deployed (the CLI waits for every component to be healthy) and answering on the example's ports.
    while (!(output.includes('All components deployed') && (await allHealthy()))) {
      if (child.exitCode !== null) throw new Error(`up exited with ${child.exitCode}:\n${output}`);
      if (performance.now() - started > UP_TIMEOUT_MS) throw new Error(`up not healthy in time:\n${output}`);
      await sleep(20);
    }
    return { ms: performance.now() - started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs a CLI process to its exit; its wall time. */
async function timeCli(bin: string, args: readonly string[], home: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, TOOLFORGE_COMPONENTS_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited(child);
  clearTimeout(timer);
  if (child.exitCode !== 0) throw new Error(`${args.join(' ')} exited with ${child.exitCode}:\n${output}`);
  return performance.now() - started;
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface TaskJson {
  readonly id: string;
  readonly started_at?: string;
  readonly finished_at?: string;
}

/** Where the cold `up` spent its time: each task of the latest deployment, from the deployment's creation. */
async function taskTimeline(home: string): Promise<string[]> {
  const { url, tool } = JSON.parse(readFileSync(join(home, 'instance.json'), 'utf8')) as {
    url: string;
    tool: string;
  };
  const response = await fetch(`${url}/v1/tool/${tool}/deployment/latest`, {
    headers: { 'x-toolforge-tool': tool },
  });
  const { data } = (await response.json()) as { data: { creation_time: string; tasks: TaskJson[] } };
  const origin = Math.min(...data.tasks.map((t) => Date.parse(t.started_at ?? '') || Infinity));
  const at = (iso: string | undefined): string => (iso ? fmt(Date.parse(iso) - origin) : '-');
  return data.tasks.map((t) => `  ${t.id.padEnd(24)} ${at(t.started_at)} → ${at(t.finished_at)}`);
}

export async function run(): Promise<void> {
  for (const port of PORTS) {
    if (!(await portFree(port))) {
      console.log(`port ${port} on 127.0.0.1 is in use: the toolhunt example needs 8000 and 5555; skipped`);
      return;
    }
  }
  console.log(`ports ${PORTS.join(' and ')} on 127.0.0.1 are free`);
  const work = mkdtempSync(join(tmpdir(), 'tfc-bench-local-'));
  const ups: Up[] = [];
  try {
    const t = performance.now();
    const bin = await compiledCli(join(work, 'pkg'));
    console.log(`compiled the CLI with esbuild in ${fmt(performance.now() - t)} (not counted)`);
    const file = relative(process.cwd(), join(EXAMPLE_DIR, 'toolforge.yaml'));
    const home = join(work, 'home');

    const cold = await upUntilHealthy(bin, home, file);
    ups.push(cold);
    const timeline = await taskTimeline(home);
    const noop: number[] = [];
    for (let i = 0; i < 3; i++) noop.push(await timeCli(bin, ['deploy', file], home));
    await cold.stop();

    const restart = await upUntilHealthy(bin, home, file);
    ups.push(restart);
    await restart.stop();

    const fresh = join(work, 'home-warm-images');
    mkdirSync(fresh);
    cpSync(join(home, 'images'), join(fresh, 'images'), { recursive: true });
    const warmImages = await upUntilHealthy(bin, fresh, file);
    ups.push(warmImages);
    await warmImages.stop();

    console.log('up → all healthy (toolhunt example, compiled CLI):');
    console.log(`  cold (empty data dir)                 ${fmt(cold.ms)}`);
    console.log(`  warm images (image store kept only)   ${fmt(warmImages.ms)}`);
    console.log(`  warm restart (same data dir)          ${fmt(restart.ms)}`);
    console.log('cold deployment tasks (start → end, from the first task start):');
    for (const line of timeline) console.log(line);
    console.log(`no-op redeploy, \`deploy FILE\` until exit (goal < 1.5 s):`);
    console.log(`  compiled: ${noop.map(fmt).join(', ')} (best ${fmt(Math.min(...noop))})`);
  } finally {
    for (const up of ups) await up.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
