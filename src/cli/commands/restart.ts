/**
 * `restart COMPONENT`: restart a component's job (its processes) without a deployment, as `toolforge jobs
 * restart` does: nothing is built, the config is not read.
 */
import type { Command } from 'commander';
import { printMessages } from '../output.js';
import { ensureTargetOptions, runWithClient } from '../run-action.js';

export function register(program: Command): void {
  ensureTargetOptions(program);
  program
    .command('restart')
    .description("Restart a component's job (its processes); nothing is built or changed")
    .argument('<component>', 'component (job) name')
    .action(async (component: string, _options: unknown, command: Command) => {
      await runWithClient(command, async (client, output) => {
        const result = await client.call('POST', `/component/${encodeURIComponent(component)}/restart`);
        printMessages(output, result.messages);
      });
    });
}
