/**
 * `status`: what runs now for the tool, mapped to its stored config (GET /v1/tool/{t}/status).
 */
import type { Command } from 'commander';
import { printJson, printMessages } from '../output.js';
import { ensureTargetOptions, runWithClient } from '../run-action.js';
import { renderToolStatus } from '../views/status-view.js';
import { ToolStatusJson } from '../../model/wire/tool-status-json.js';

export function register(program: Command): void {
  ensureTargetOptions(program);
  program
    .command('status')
    .description(
      "Show the tool's components: managed, drifted, missing, orphaned or unmanaged, with job health",
    )
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await runWithClient(command, async (client, output) => {
        const result = await client.call('GET', '/status', { answer: ToolStatusJson });
        if (options.json) return printJson(output, result.data);
        printMessages(output, result.messages);
        for (const line of renderToolStatus(result.data, output.paintOut)) output.out(line);
      });
    });
}
