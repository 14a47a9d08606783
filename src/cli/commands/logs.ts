/**
 * `logs COMPONENT [--follow]`: a component's log as the local runtime wrote it (every line carries its replica
 * or scheduled run). For now it reads the local data directory directly; the tool is `--tool`, else the only
 * tool there that has this component.
 */
import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { defaultDataDir } from '../../runtimes/local/data-dir.js';
import { followLines } from '../../runtimes/local/logs/follow-lines.js';
import { LocalPaths } from '../../runtimes/local/state/local-paths.js';
import { ensureTargetOptions } from '../run-action.js';

interface LogsOptions {
  readonly follow?: boolean;
  readonly dataDir: string;
}

function toolsWithLog(dataDir: string, component: string): string[] {
  const logs = join(dataDir, 'logs');
  if (!existsSync(logs)) return [];
  return readdirSync(logs, { withFileTypes: true })
    .filter((dir) => dir.isDirectory() && existsSync(join(logs, dir.name, `${component}.log`)))
    .map((dir) => dir.name)
    .sort();
}

export function pickLogFile(dataDir: string, component: string, tool: string | undefined): string {
  const paths = new LocalPaths(dataDir);
  if (tool !== undefined) {
    const path = paths.jobLog(tool, component);
    if (!existsSync(path)) {
      throw new UserError(
        'logs-not-found',
        `no logs for component "${component}" of tool "${tool}" in ${dataDir}`,
      );
    }
    return path;
  }
  const tools = toolsWithLog(dataDir, component);
  const [only] = tools;
  if (only === undefined)
    throw new UserError('logs-not-found', `no logs for component "${component}" in ${dataDir}`);
  if (tools.length > 1) {
    throw new UserError(
      'logs-ambiguous',
      `component "${component}" exists in several tools (${tools.join(', ')}): choose one with --tool`,
    );
  }
  return paths.jobLog(only, component);
}

export function register(program: Command): void {
  ensureTargetOptions(program);
  program
    .command('logs')
    .description('Print the logs of a component run by the local runtime')
    .argument('<component>', 'component (job) name')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--data-dir <dir>', 'data directory of the local runtime', defaultDataDir())
    .action(async (component: string, options: LogsOptions, command: Command) => {
      const tool = (command.optsWithGlobals() as { tool?: string }).tool;
      const path = pickLogFile(options.dataDir, component, tool);
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.stdout.on('error', onSignal); // e.g. `| head`: the reader went away
      try {
        for await (const line of followLines(path, { follow: options.follow, signal: stop.signal })) {
          if (stop.signal.aborted) break;
          process.stdout.write(`${line}\n`);
        }
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
