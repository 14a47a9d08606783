/**
 * Upstream's `config create|show|generate|delete`: the tool's config stored by the components-api. They join
 * the `config` group that `config validate|schema` (local, src/cli/commands/config.ts) also use.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { AbortedByUserError } from '../client-errors.js';
import { printJson, printMessages } from '../output.js';
import { confirm } from '../prompt.js';
import { ensureTargetOptions, runWithClient } from '../run-action.js';

interface JsonOption {
  readonly json?: boolean;
}

export function configGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'config') ??
    program.command('config').description("Manage the tool's components configuration")
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The config text: the file, or stdin when it is piped. An unreadable file is a usage error (exit 2, as click);
 * a terminal on stdin prints upstream's hint and gives undefined (exit 1).
 */
async function configText(file: string | undefined, command: Command): Promise<string | undefined> {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
      command.error(`error: Invalid value for '[CONFIG]': File '${file}' ${why}.`, { exitCode: 2 });
    }
  }
  if (process.stdin.isTTY) {
    process.stderr.write(
      'No CONFIG provided and no data in stdin. Please provide a config file or pipe data.\n',
    );
    return undefined;
  }
  return readStdin();
}

/** YAML (so JSON too) → the object POSTed as JSON. */
export async function parseConfigText(text: string, source: string): Promise<unknown> {
  const { parse } = await import('yaml'); // loaded only by the commands that need it
  try {
    return parse(text) as unknown;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError('CMP_ERR_CONFIG_YAML', `${source}: ${why}`);
  }
}

async function printConfig(output: { out: (t: string) => void }, data: unknown): Promise<void> {
  const { toBlockYaml } = await import('../views/yaml-view.js');
  // PyYAML's dump ends with a newline and click.echo adds one: an empty line follows the YAML.
  output.out(toBlockYaml(data));
}

function jsonFlag(command: Command): Command {
  return command.option('--json', 'print the result as JSON');
}

export function register(program: Command): void {
  ensureTargetOptions(program);
  const config = configGroup(program);

  jsonFlag(
    config
      .command('create')
      .description('Create or replace the tool config from a YAML/JSON file, or from stdin')
      .argument('[CONFIG]', 'config file (YAML or JSON); stdin when omitted'),
  ).action(async (file: string | undefined, options: JsonOption, command: Command) => {
    const text = await configText(file, command);
    if (text === undefined) {
      process.exitCode = 1;
      return;
    }
    const body = await parseConfigText(text, file ?? '<stdin>');
    await runWithClient(command, async (client, output) => {
      const result = await client.call('POST', '/config', { body });
      if (options.json) printJson(output, result.body);
      else printMessages(output, result.messages);
    });
  });

  jsonFlag(config.command('show').description('Show the tool config stored by the API')).action(
    async (options: JsonOption, command: Command) => {
      await runWithClient(command, async (client, output) => {
        const result = await client.call('GET', '/config');
        if (options.json) return printJson(output, result.data);
        printMessages(output, result.messages);
        await printConfig(output, result.data);
      });
    },
  );

  jsonFlag(
    config.command('generate').description("Generate a config from the tool's existing builds and jobs"),
  ).action(async (options: JsonOption, command: Command) => {
    await runWithClient(command, async (client, output) => {
      const result = await client.call('GET', '/config/generate');
      if (options.json) return printJson(output, result.data);
      printMessages(output, result.messages);
      await printConfig(output, result.data);
    });
  });

  jsonFlag(
    config
      .command('delete')
      .description('Delete the tool config stored by the API')
      .option('--yes-im-sure', 'do not ask for confirmation'),
  ).action(async (options: JsonOption & { yesImSure?: boolean }, command: Command) => {
    await runWithClient(command, async (client, output) => {
      await client.call('GET', '/config'); // fails (404) before asking when there is nothing to delete
      if (!options.yesImSure) {
        const sure = await confirm(
          'Are you sure you want to delete the configuration? This cannot be undone.',
        );
        if (!sure) throw new AbortedByUserError();
      }
      const result = await client.call('DELETE', '/config');
      if (options.json) return printJson(output, result.data);
      printMessages(output, result.messages);
      await printConfig(output, result.data);
    });
  });
}
