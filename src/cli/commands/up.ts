/**
 * `up [FILE]`: the one-command experience. Starts the components service on this machine (local runtime,
 * SQLite in the data dir, API on 127.0.0.1), deploys FILE with live progress, prints the published URLs and
 * follows the components' logs until Ctrl-C, which stops every process it started. `--detach` leaves the
 * service running in the background (stop it with `down`); when a service is already running, `up` deploys to
 * it. `down` stops the background service, then every process still carrying the instance's marker (components
 * that daemonized out of their process group, or all of them after a crash), and says what it could not stop.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { UserError } from '../../errors.js';
import {
  liveInstance,
  processIsAlive,
  removeInstanceFile,
  writeInstanceFile,
} from '../../instance/instance-file.js';
import type { RunningInstance } from '../../instance/start-instance.js';
import { defaultDataDir } from '../../runtimes/local/data-dir.js';
import type { ComponentsApiClient } from '../api-client.js';
import { processOutput, type Output } from '../output.js';
import { VERSION } from '../../version.js';
import { reportClientError, type GlobalOptions } from '../run-action.js';
import { untilStopSignal } from '../stop-signal.js';
import { runDeploy } from './deploy.js';
import { parseDuration } from '../../duration.js';

interface UpOptions {
  readonly detach?: boolean;
  readonly timeout?: string;
  readonly port: string;
  readonly logs: boolean;
  readonly daemon?: boolean;
}

const DEFAULT_FILE = 'toolforge.yaml';

/** The tool a local config deploys as: `--tool`, else the config folder's name made a valid tool name. */
function toolFor(file: string, explicit: string | undefined): string {
  if (explicit) return explicit;
  const name = basename(dirname(resolve(file)))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(name) ? name : 'local';
}

async function clientFor(url: string, tool: string): Promise<ComponentsApiClient> {
  const [{ ComponentsApiClient }, { resolveTarget }] = await Promise.all([
    import('../api-client.js'),
    import('../target.js'),
  ]);
  return new ComponentsApiClient(resolveTarget({ apiUrl: url, tool }, { env: {}, version: VERSION }));
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError('CMP_ERR_USAGE', `Invalid --port "${text}"`);
  return port;
}

async function deployTo(
  url: string,
  tool: string,
  body: unknown,
  output: Output,
  debug: boolean,
  timeout: string | undefined,
): Promise<number> {
  const client = await clientFor(url, tool);
  try {
    return await runDeploy(client, output, body, {
      interrupts: false,
      ...(timeout !== undefined ? { timeout } : {}),
    });
  } catch (error) {
    if (!reportClientError(output, error, debug)) throw error;
    return 1;
  } finally {
    await client.close();
    output.out(`Dashboard: ${url}/tools/${tool}`); // beside the published URLs (docs/dashboard.md)
  }
}

/** Follows every component's log, prefixed with its name, until `signal` aborts. */
async function followLogs(
  instance: RunningInstance,
  tool: string,
  output: Output,
  signal: AbortSignal,
): Promise<void> {
  const { runtime } = instance;
  if (!runtime.jobLogs) return;
  const { jobs } = await runtime.observe(tool);
  const width = Math.max(...jobs.map((job) => job.name.length), 0);
  output.out('Following logs (Ctrl-C stops everything)...');
  await Promise.all(
    jobs.map(async (job) => {
      try {
        for await (const line of runtime.jobLogs!(tool, job.name, { follow: true, signal })) {
          output.out(`${output.paintOut('dim', job.name.padEnd(width))} | ${line}`);
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    }),
  );
}

/** What Ctrl-C stops: `Stopping the local service and its components (a, b)...`. */
async function stoppingLine(instance: RunningInstance, tool: string): Promise<string> {
  const { jobs } = await instance.runtime.observe(tool).catch(() => ({ jobs: [] }));
  const names = jobs.map((job) => job.name);
  return names.length > 0
    ? `Stopping the local service and its components (${names.join(', ')})...`
    : 'Stopping the local service...';
}

/** Runs the service in this process until SIGINT/SIGTERM; `afterStart` deploys and shows what runs. */
async function runService(
  dataDir: string,
  port: number,
  tool: string,
  afterStart: (instance: RunningInstance, stopped: AbortSignal) => Promise<void>,
  output?: Output,
): Promise<void> {
  // The whole service (fastify, SQLite, the local runtime, the executor) loads only when it starts.
  const { startInstance } = await import('../../instance/start-instance.js');
  const instance = await startInstance({ runtime: 'local', dataDir, host: '127.0.0.1', port });
  writeInstanceFile(dataDir, { url: instance.url, pid: process.pid, tool });
  const stopped = new AbortController();
  const signal = untilStopSignal();
  try {
    await Promise.race([afterStart(instance, stopped.signal), signal]);
    await signal;
    if (output) output.err(await stoppingLine(instance, tool));
  } finally {
    stopped.abort();
    removeInstanceFile(dataDir, process.pid);
    await instance.close();
  }
}

/** `up --detach`: the service in a background process whose output goes to `<dataDir>/service.log`. */
async function startDetached(dataDir: string, port: number, tool: string): Promise<string> {
  const logFile = join(dataDir, 'service.log');
  mkdirSync(dataDir, { recursive: true }); // a fresh TOOLFORGE_COMPONENTS_HOME does not exist yet
  const fd = openSync(logFile, 'a');
  const bin = new URL('../../../bin/toolforge-components.js', import.meta.url);
  const child = spawn(
    process.execPath,
    [bin.pathname, '--tool', tool, 'up', '--daemon', '--port', String(port)],
    {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, TOOLFORGE_COMPONENTS_HOME: dataDir },
    },
  );
  closeSync(fd);
  child.unref();
  for (let waited = 0; waited < 30_000; waited += 100) {
    const instance = liveInstance(dataDir);
    if (instance && instance.pid === child.pid) return instance.url;
    if (child.pid === undefined || !processIsAlive(child.pid)) break;
    await sleep(100);
  }
  throw new UserError('CMP_ERR_UP', `The background service did not start; see ${logFile}`);
}

async function up(file: string | undefined, options: UpOptions, command: Command): Promise<void> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const output = processOutput();
  const dataDir = defaultDataDir();
  const port = parsePort(options.port);
  const configFile = file ?? DEFAULT_FILE;
  const tool = toolFor(configFile, globals.tool);
  const debug = globals.debug === true;

  if (options.daemon) return runService(dataDir, port, tool, async () => undefined);
  if (options.timeout !== undefined) parseDuration(options.timeout, '--timeout'); // before anything starts

  const { readDeployBody } = await import('../deploy-body.js');
  const body = await readDeployBody(configFile, (line) => output.err(line));
  if (body === undefined) {
    process.exitCode = 1;
    return;
  }
  const running = liveInstance(dataDir);
  if (running || options.detach) {
    const url = running?.url ?? (await startDetached(dataDir, port, tool));
    output.out(
      running ? `Using the running service at ${url}` : `Started the service in the background at ${url}`,
    );
    process.exitCode = await deployTo(url, tool, body, output, debug, options.timeout);
    output.out('Stop it with: toolforge-components down');
    return;
  }
  await runService(
    dataDir,
    port,
    tool,
    async (instance, stopped) => {
      output.out(`Service listening on ${instance.url} (data in ${dataDir})`);
      // The deploy prints the published URLs, as a plain `deploy` does.
      process.exitCode = await deployTo(instance.url, tool, body, output, debug, options.timeout);
      if (options.logs) await followLogs(instance, tool, output, stopped);
    },
    output,
  );
}

/** `pid command` lines, at most `max` of them. */
function processLines(processes: readonly { pid: number; command: string }[], max = 20): string[] {
  const lines = processes.slice(0, max).map((p) => `  ${p.pid} ${p.command || '?'}`);
  if (processes.length > max) lines.push(`  ... and ${processes.length - max} more`);
  return lines;
}

/**
 * Stops the service, then finds every process still carrying the instance's marker (components that
 * daemonized out of their process group, or all of them when the service had crashed) and stops those too.
 * Exits 1 when something could not be stopped, naming it.
 */
async function down(): Promise<void> {
  const output = processOutput();
  const dataDir = defaultDataDir();
  const instance = liveInstance(dataDir);
  const { stopInstance } = await import('../../runtimes/local/process/stop-instance.js');
  const report = await stopInstance(dataDir, instance?.pid ? { servicePid: instance.pid } : {});
  if (instance?.pid) {
    removeInstanceFile(dataDir, instance.pid);
    const how = report.serviceKilled ? ' (killed: it did not stop within 30 s)' : '';
    output.out(`Stopped the local service (pid ${instance.pid})${how}.`);
  } else {
    output.out('No local service is running.');
  }
  if (report.stopped.length > 0) {
    output.out(`Stopped ${report.stopped.length} component process(es):`);
    for (const line of processLines(report.stopped)) output.out(line);
  }
  if (report.swept.length > 0) {
    const why = instance?.pid ? 'had left their process group' : 'were left by an earlier service';
    output.out(`Of these, ${report.swept.length} ${why}: ${report.swept.map((p) => p.pid).join(', ')}.`);
  }
  if (report.survivors.length > 0) {
    output.err(`Could not stop ${report.survivors.length} process(es):`);
    for (const p of report.survivors) output.err(`  ${p.pid} ${p.command || '?'}: ${p.reason}`);
    process.exitCode = 1;
  } else if (instance?.pid || report.stopped.length > 0) {
    output.out('Nothing of it is running any more.');
  }
}

export function register(program: Command): void {
  program
    .command('up')
    .description(
      'Start the local service, deploy FILE with live progress, then follow the logs (Ctrl-C stops all)',
    )
    .argument('[FILE]', `config file (default ${DEFAULT_FILE})`)
    .option('--detach', 'leave the service running in the background (stop it with `down`)')
    .option('--port <port>', 'port of the local API (0 = any free port)', '0')
    .option('--no-logs', 'do not follow the logs after deploying')
    .option('--timeout <duration>', 'how long each component may take to become healthy, e.g. 30s, 10m')
    .addOption(new Option('--daemon', 'run only the service (used by --detach)').hideHelp())
    .action(up);
  program
    .command('down')
    .description('Stop the local background service and every component it runs')
    .action(down);
}
