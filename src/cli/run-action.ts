/**
 * The frame of every command that talks to the API: resolve the target from the global options, run the
 * command, print API failures as upstream's CLI does, set the exit code and close the connection pool.
 */
import type { Command } from 'commander';
import type { ComponentsApiClient } from './api-client.js';
import {
  AbortedByUserError,
  ComponentsApiError,
  ComponentsClientError,
  PromptAbortError,
  REPORT_LINE,
} from './client-errors.js';
import { printMessages, processOutput, type Output } from './output.js';
import { VERSION } from '../version.js';

export interface GlobalOptions {
  readonly apiUrl?: string;
  readonly tool?: string;
  readonly debug?: boolean;
  readonly verbose?: boolean;
}

/** Adds `--api-url` and `--tool` to the program once, whichever command module registers first. */
export function ensureTargetOptions(program: Command): void {
  if (program.options.some((o) => o.long === '--api-url')) return;
  program
    .option(
      '--api-url <url>',
      'components-api to talk to (default: toolforge config, else the local instance)',
    )
    .option('--tool <name>', 'tool to act on (default: from the kubeconfig namespace or the local instance)');
  // Like upstream, the dispatcher's own flags are hidden when run as `toolforge components …`.
  if (process.env.TOOLFORGE_CLI === '1') {
    for (const option of program.options) {
      if (option.long === '--debug' || option.long === '--verbose') option.hideHelp();
    }
  }
}

/** Prints an API failure the way upstream does; false when the error is not one of ours. */
export function reportClientError(output: Output, error: unknown, debug: boolean): boolean {
  if (debug && error instanceof Error && error.stack) output.err(error.stack);
  if (error instanceof ComponentsApiError) {
    printMessages(output, error.messages);
    output.err(output.paintErr('red', `Error: ${error.message}`));
    return true;
  }
  if (error instanceof ComponentsClientError) {
    printMessages(output, error.messages);
    output.err(`ComponentsClientError: ${error.message}`);
    output.err(REPORT_LINE);
    return true;
  }
  if (error instanceof AbortedByUserError) {
    output.out(error.message);
    return true;
  }
  if (error instanceof PromptAbortError) {
    output.err('Abort: ');
    output.err(REPORT_LINE);
    return true;
  }
  return false;
}

export type ClientAction = (client: ComponentsApiClient, output: Output) => Promise<number | void>;

export async function runWithClient(command: Command, action: ClientAction): Promise<void> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const output = processOutput();
  let client: ComponentsApiClient | undefined;
  try {
    // Loaded here, not at the top: every command module imports this file, and `--help` must stay fast.
    const [{ ComponentsApiClient }, { resolveTarget }] = await Promise.all([
      import('./api-client.js'),
      import('./target.js'),
    ]);
    const target = resolveTarget(
      {
        ...(globals.apiUrl ? { apiUrl: globals.apiUrl } : {}),
        ...(globals.tool ? { tool: globals.tool } : {}),
      },
      { env: process.env, version: VERSION },
    );
    if (globals.verbose) output.err(`Using ${target.toolUrl} (${target.source})`);
    client = new ComponentsApiClient(target);
    const code = await action(client, output);
    if (code) process.exitCode = code;
  } catch (error) {
    if (!reportClientError(output, error, globals.debug === true)) throw error;
    process.exitCode = 1;
  } finally {
    await client?.close();
  }
}
