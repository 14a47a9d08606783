/**
 * Upstream's `deploy-token create|refresh|show|delete`: the token CI pipelines deploy with. `show --json`
 * prints `{token, creation_date, …}`, what upstream's CI recipes read (`deploy-token show --json | jq -r .token`).
 */
import type { Command } from 'commander';
import { DeployTokenJson, type DeployTokenJsonT } from '../../model/wire/small-answers.js';
import { BETA_WARNING } from '../../api/envelope.js';
import { AbortedByUserError, ComponentsApiError } from '../client-errors.js';
import { printJson, printMessages, type Output } from '../output.js';
import { confirm } from '../prompt.js';
import { ensureTargetOptions, runWithClient } from '../run-action.js';

interface Options {
  readonly json?: boolean;
  readonly yesImSure?: boolean;
}

/** How the CLI names itself in hints: as the `toolforge` dispatcher's subcommand when run through it. */
function cliName(): string {
  return process.env.TOOLFORGE_CLI === '1' ? 'toolforge components' : 'toolforge-components';
}

/**
 * What upstream's CLI means to print when `create` meets an existing token (its 0.0.15 never does, see
 * docs/upstream-compat.md#deploy-tokens): the three ways on, as commands to copy.
 */
export function tokenExistsText(name: string = cliName()): string {
  return [
    'A valid deployment token already exists. You can:',
    `  - show it: ${name} deploy-token show`,
    `  - replace it with a new one: ${name} deploy-token refresh`,
    `  - delete it: ${name} deploy-token delete`,
  ].join('\n');
}

export function tokenLines(token: DeployTokenJsonT, output: Pick<Output, 'paintOut'>): string[] {
  return [
    `${output.paintOut('bold', 'Token:')} ${token.token ?? '(cannot be shown, see the warning above)'}`,
    `${output.paintOut('bold', 'Created:')} ${token.creation_date ?? ''}`,
  ];
}

function printToken(output: Output, token: DeployTokenJsonT, title?: string): void {
  if (title) output.out(output.paintOut('bold', title));
  for (const line of tokenLines(token, output)) output.out(line);
}

async function sure(options: Options, question: string): Promise<void> {
  if (options.yesImSure) return;
  if (!(await confirm(question))) throw new AbortedByUserError();
}

export function register(program: Command): void {
  ensureTargetOptions(program);
  const group = program
    .command('deploy-token')
    .description('Manage the deploy token (deployments from CI with ?token=)');

  group
    .command('create')
    .description('Create the deploy token')
    .option('--json', 'print the token as JSON')
    .action(async (options: Options, command: Command) => {
      await runWithClient(command, async (client, output) => {
        const result = await client
          .call('POST', '/deployment/token', { answer: DeployTokenJson })
          .catch((error: unknown) => {
            if (error instanceof ComponentsApiError && error.httpStatus === 409) return error;
            throw error;
          });
        if (result instanceof ComponentsApiError) {
          // As upstream prints every API error: the answer's info and warnings first, then what to do.
          printMessages(output, result.messages);
          output.err(output.paintErr('red', tokenExistsText()));
          return 1;
        }
        if (options.json) return printJson(output, result.data);
        printMessages(output, result.messages);
        printToken(output, result.data);
      });
    });

  group
    .command('refresh')
    .description('Replace the deploy token with a new one')
    .option('--yes-im-sure', 'do not ask for confirmation')
    .option('--json', 'print the token as JSON')
    .action(async (options: Options, command: Command) => {
      await runWithClient(command, async (client, output) => {
        await sure(
          options,
          'Are you sure you want to refresh the deployment token? This will invalidate the existing token.',
        );
        const result = await client.call('PUT', '/deployment/token', { answer: DeployTokenJson });
        if (options.json) return printJson(output, result.data);
        printMessages(output, result.messages);
        printToken(output, result.data, 'New deployment token:');
      });
    });

  group
    .command('show')
    .description('Show the deploy token')
    .option('--json', 'print the token as JSON')
    .action(async (options: Options, command: Command) => {
      await runWithClient(command, async (client, output) => {
        try {
          const result = await client.call('GET', '/deployment/token', { answer: DeployTokenJson });
          // A token the server cannot show (stored before tokens were encrypted, or under another key): say
          // why even with --json, and fail, so `… --json | jq -r .token` in CI stops here, not at a 401 later.
          const hidden = result.data.token === undefined;
          if (options.json) {
            if (hidden) {
              for (const line of result.messages.warning.filter((w) => w !== BETA_WARNING)) {
                output.err(`Warning: ${line}`);
              }
            }
            printJson(output, result.data);
          } else {
            printMessages(output, result.messages);
            printToken(output, result.data);
          }
          return hidden ? 1 : undefined;
        } catch (error) {
          if (!(error instanceof ComponentsApiError && error.httpStatus === 404)) throw error;
          if (options.json) return printJson(output, {});
          output.out('No deployment token found');
        }
      });
    });

  group
    .command('delete')
    .description('Delete the deploy token')
    .option('--yes-im-sure', 'do not ask for confirmation')
    .option('--json', 'print the deleted token as JSON')
    .action(async (options: Options, command: Command) => {
      await runWithClient(command, async (client, output) => {
        await client.call('GET', '/deployment/token', { answer: DeployTokenJson }); // 404 before asking when there is none
        await sure(options, 'Are you sure you want to delete the deployment token? This cannot be undone.');
        const result = await client.call('DELETE', '/deployment/token', { answer: DeployTokenJson });
        if (options.json) return printJson(output, result.data);
        printMessages(output, result.messages);
        printToken(output, result.data, 'Deleted deployment token:');
      });
    });
}
