/**
 * `logs [COMPONENT] [--follow] [--build]`: what the local runtime wrote for a component (every line carries its
 * replica or scheduled run), read from the local data directory; the tool is `--tool`, else the only tool
 * there that has this component. Without a component, every component of the tool, prefixed with its name, as
 * `up` follows them. `--build` prints the component's latest build log instead: from the data directory when
 * the local runtime built it, else through the components API (on Toolforge, builds-api's logs).
 */
import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { defaultDataDir } from '../../runtimes/local/data-dir.js';
import { followLines } from '../../runtimes/local/logs/follow-lines.js';
import { readJsonFile } from '../../runtimes/local/state/json-file.js';
import { LocalPaths } from '../../runtimes/local/state/local-paths.js';
import type { BuildRecord } from '../../model/observed-state.js';
import { processOutput, type Output } from '../output.js';
import { ensureTargetOptions, runWithClient } from '../run-action.js';
import type { ApiResult, ComponentsApiClient } from '../api-client.js';
import { ComponentsApiError } from '../client-errors.js';
import { DeploymentJson } from '../../model/wire/deployment-json.js';
import { BuildLogsJson, type BuildLogsJsonT } from '../../model/wire/small-answers.js';

interface LogsOptions {
  readonly follow?: boolean;
  readonly build?: boolean;
  readonly dataDir: string;
}

export class NoLogsError extends UserError {
  constructor(message: string) {
    super('CMP_ERR_NO_LOGS', message);
    this.name = 'NoLogsError';
  }
}

function toolDirs(dataDir: string): string[] {
  const logs = join(dataDir, 'logs');
  if (!existsSync(logs)) return [];
  return readdirSync(logs, { withFileTypes: true })
    .filter((dir) => dir.isDirectory())
    .map((dir) => dir.name)
    .sort();
}

function toolsWithLog(dataDir: string, component: string): string[] {
  return toolDirs(dataDir).filter((tool) => existsSync(join(dataDir, 'logs', tool, `${component}.log`)));
}

export function pickLogFile(dataDir: string, component: string, tool: string | undefined): string {
  const paths = new LocalPaths(dataDir);
  if (tool !== undefined) {
    const path = paths.jobLog(tool, component);
    if (!existsSync(path)) {
      throw new NoLogsError(
        `no logs for component "${component}" of tool "${tool}" in ${dataDir}${buildHint(dataDir, component, tool)}`,
      );
    }
    return path;
  }
  const tools = toolsWithLog(dataDir, component);
  const [only] = tools;
  if (only === undefined) {
    throw new NoLogsError(
      `no logs for component "${component}" in ${dataDir}${buildHint(dataDir, component, undefined)}`,
    );
  }
  if (tools.length > 1) {
    throw new UserError(
      'CMP_ERR_LOGS_AMBIGUOUS',
      `component "${component}" exists in several tools (${tools.join(', ')}): choose one with --tool`,
    );
  }
  return paths.jobLog(only, component);
}

/** A component that never ran but was built (or failed to): its build log is what there is to read. */
function buildHint(dataDir: string, component: string, tool: string | undefined): string {
  const local = latestLocalBuild(dataDir, component, tool);
  if (!local) return '';
  const how =
    local.build.state === 'failed' ? 'its build failed' : `its latest build is ${local.build.state}`;
  return `; ${how}: see its log with \`toolforge-components logs ${component} --build\``;
}

/** The newest build of `component` the local runtime recorded (in `tool`, or in any tool). */
function latestLocalBuild(
  dataDir: string,
  component: string,
  tool: string | undefined,
): { tool: string; build: BuildRecord } | undefined {
  const paths = new LocalPaths(dataDir);
  const tools = tool !== undefined ? [tool] : toolDirs(dataDir);
  let latest: { tool: string; build: BuildRecord } | undefined;
  for (const t of tools) {
    for (const build of readJsonFile<BuildRecord[]>(paths.buildsFile(t), [])) {
      if (build.imageName !== component || !existsSync(paths.buildLog(t, build.id))) continue;
      const time = build.startedAt ?? build.finishedAt ?? '';
      const best = latest?.build.startedAt ?? latest?.build.finishedAt ?? '';
      if (!latest || time >= best) latest = { tool: t, build };
    }
  }
  return latest;
}

async function printFile(path: string, follow: boolean, print: (line: string) => void): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.stdout.on('error', onSignal); // e.g. `| head`: the reader went away
  try {
    for await (const line of followLines(path, { follow, signal: stop.signal })) {
      if (stop.signal.aborted) break;
      print(line);
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** Every component log of the tool, each line prefixed with its component, until Ctrl-C when following. */
async function printAll(
  dataDir: string,
  tool: string | undefined,
  options: LogsOptions,
  output: Output,
): Promise<void> {
  const tools = tool !== undefined ? [tool] : toolDirs(dataDir);
  if (tools.length > 1)
    throw new UserError(
      'CMP_ERR_LOGS_AMBIGUOUS',
      `several tools have logs (${tools.join(', ')}): choose one with --tool`,
    );
  const [only] = tools;
  const dir = only === undefined ? undefined : join(dataDir, 'logs', only);
  const components =
    dir && existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.log'))
          .map((f) => f.slice(0, -'.log'.length))
          .sort()
      : [];
  if (only === undefined || components.length === 0) throw new NoLogsError(`no component logs in ${dataDir}`);
  const width = Math.max(...components.map((c) => c.length));
  await Promise.all(
    components.map((c) =>
      printFile(join(dataDir, 'logs', only, `${c}.log`), options.follow === true, (line) =>
        output.out(`${output.paintOut('dim', c.padEnd(width))} | ${line}`),
      ),
    ),
  );
}

/** Starlette's (and Fastify's) answer for a route the server does not have. */
function isMissingRoute(error: unknown): boolean {
  return error instanceof ComponentsApiError && error.httpStatus === 404 && error.message === 'Not Found';
}

/**
 * Upstream's components-api has no build-logs route: name the build (from the latest deployment) and the command
 * that reads builds-api's log of it.
 */
async function upstreamHint(client: ComponentsApiClient, component: string): Promise<UserError> {
  const latest = await client
    .call('GET', '/deployment/latest', { answer: DeploymentJson })
    .catch(() => undefined);
  const id = latest?.data.builds[component]?.build_id;
  const where =
    id && id !== 'no-build-needed' && id !== 'no-id-yet'
      ? `its latest build is ${id}: toolforge build logs ${id}`
      : `the latest deployment has no build of ${component}`;
  return new NoLogsError(`This components-api serves no build logs; ${where}`);
}

async function printBuildLog(component: string, options: LogsOptions, command: Command): Promise<void> {
  const tool = (command.optsWithGlobals() as { tool?: string }).tool;
  const output = processOutput();
  const local = latestLocalBuild(options.dataDir, component, tool);
  if (local) {
    output.err(`Build ${local.build.id} of ${component} (${local.build.state}):`);
    const path = new LocalPaths(options.dataDir).buildLog(local.tool, local.build.id);
    await printFile(path, options.follow === true, (line) => output.out(line));
    return;
  }
  // Not built here: ask the components API, whose runtime has the log (builds-api's, on Toolforge).
  await runWithClient(command, async (client, out) => {
    let result: ApiResult<BuildLogsJsonT>;
    try {
      result = await client.call('GET', `/component/${encodeURIComponent(component)}/build-logs`, {
        answer: BuildLogsJson,
      });
    } catch (error) {
      if (!isMissingRoute(error)) throw error;
      throw await upstreamHint(client, component);
    }
    out.err(`Build ${result.data.build_id} of ${component} (${result.data.status}):`);
    for (const line of result.data.lines) out.out(line);
  });
}

export function register(program: Command): void {
  ensureTargetOptions(program);
  program
    .command('logs')
    .description(
      "Print a component's logs (every component's, prefixed, without one); --build: its latest build log",
    )
    .argument('[component]', 'component (job) name; every component of the tool when omitted')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--build', "print the component's latest build log (also of a build that failed)")
    .option('--data-dir <dir>', 'data directory of the local runtime', defaultDataDir())
    .action(async (component: string | undefined, options: LogsOptions, command: Command) => {
      const tool = (command.optsWithGlobals() as { tool?: string }).tool;
      if (options.build) {
        if (component === undefined) throw new UserError('CMP_ERR_USAGE', 'logs --build: name the component');
        await printBuildLog(component, options, command);
        return;
      }
      if (component === undefined) {
        await printAll(options.dataDir, tool, options, processOutput());
        return;
      }
      const path = pickLogFile(options.dataDir, component, tool);
      await printFile(path, options.follow === true, (line) => process.stdout.write(`${line}\n`));
    });
}
