/**
 * Upstream's `deployment create|list|show|delete|cancel`, with upstream's outputs (src/cli/views/deployment-view.ts).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { AbortedByUserError } from '../client-errors.js';
import { colourEnabled, printJson, printMessages, type Output } from '../output.js';
import { confirm } from '../prompt.js';
import { ensureTargetOptions, runWithClient } from '../run-action.js';
import { planFromJson } from '../../plan/read-plan-json.js';
import { renderPlanText } from '../../plan/render-text.js';
import { DeployAnswerJson, DeploymentJson, DeploymentListJson } from '../../model/wire/deployment-json.js';

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 0) throw new InvalidArgumentError('a whole number of seconds');
  return seconds;
}

interface JsonOption {
  readonly json?: boolean;
}

function print(output: Output, lines: readonly string[]): void {
  for (const line of lines) output.out(line);
}

// The views print the stored config as YAML: the yaml package loads with them, when a result is printed.
const views = (): Promise<typeof import('../views/deployment-view.js')> =>
  import('../views/deployment-view.js');

const idPath = (id: string): string => `/deployment/${encodeURIComponent(id)}`;

export function register(program: Command): void {
  ensureTargetOptions(program);
  const group = program
    .command('deployment')
    .description("Create, list, show, cancel and delete the tool's deployments");

  group
    .command('create')
    .description('Deploy the stored config: build what changed, then update the jobs')
    .option('--force-build', 'rebuild every image even when a build for the same commit exists')
    .option('--force-run', 'restart every component even when its job is unchanged')
    .option('--json', 'print the whole response as JSON')
    .action(async (options: JsonOption & { forceBuild?: boolean; forceRun?: boolean }, command: Command) => {
      await runWithClient(command, async (client, output) => {
        const result = await client.call('POST', '/deployment', {
          query: { 'force-build': options.forceBuild === true, 'force-run': options.forceRun === true },
          answer: DeploymentJson,
        });
        if (options.json) return printJson(output, result.body);
        printMessages(output, result.messages);
        print(output, (await views()).renderDeploymentSummary(result.data, output.paintOut));
      });
    });

  group
    .command('list')
    .description("List the tool's deployments")
    .option('--json', 'print the whole response as JSON')
    .action(async (options: JsonOption, command: Command) => {
      await runWithClient(command, async (client, output) => {
        const result = await client.call('GET', '/deployment', { answer: DeploymentListJson });
        if (options.json) return printJson(output, result.body);
        printMessages(output, result.messages);
        print(output, (await views()).renderDeploymentTable(result.data.deployments, output.paintOut));
      });
    });

  group
    .command('show')
    .description('Show a deployment (the latest when no ID is given)')
    .argument('[ID]', 'deployment id', 'latest')
    .option('--json', 'print the deployment as JSON')
    .action(async (id: string, options: JsonOption, command: Command) => {
      await runWithClient(command, async (client, output) => {
        const result = await client.call('GET', idPath(id), { answer: DeploymentJson });
        if (options.json) return printJson(output, result.data);
        printMessages(output, result.messages);
        print(output, (await views()).renderDeploymentDetail(result.data, output.paintOut));
      });
    });

  group
    .command('delete')
    .description('Delete a deployment record')
    .argument('<ID>', 'deployment id')
    .option('--yes-im-sure', 'do not ask for confirmation')
    .option('--json', 'print the deleted deployment as JSON')
    .action(async (id: string, options: JsonOption & { yesImSure?: boolean }, command: Command) => {
      await runWithClient(command, async (client, output) => {
        if (!options.yesImSure) {
          const sure = await confirm(
            `Are you sure you want to delete deployment ${id}? This cannot be undone.`,
          );
          if (!sure) throw new AbortedByUserError();
        }
        const result = await client.call('DELETE', idPath(id), { answer: DeploymentJson });
        if (options.json) return printJson(output, result.data);
        printMessages(output, result.messages);
        output.out(output.paintOut('bold', 'Deleted deployment:'));
        print(output, (await views()).renderDeploymentDetail(result.data, output.paintOut));
      });
    });

  group
    .command('rollback')
    .description(
      'Deploy again what an earlier successful deployment deployed: its config and the commits it built (the previous successful one when no ID is given)',
    )
    .argument('[ID]', 'deployment id to roll back to')
    .option('--only-plan', 'print the rollback plan and change nothing')
    .option('--description <TEXT>', 'why (added to the deployment description)')
    .option('--wait <SECONDS>', 'wait up to this long for the rollback to end', parseSeconds)
    .option('--json', 'print the whole response as JSON')
    .action(
      async (
        id: string | undefined,
        options: JsonOption & { onlyPlan?: boolean; description?: string; wait?: number },
        command: Command,
      ) => {
        await runWithClient(command, async (client, output) => {
          const path = id === undefined ? '/deployment/rollback' : `${idPath(id)}/rollback`;
          const query = {
            'only-plan': options.onlyPlan === true,
            ...(options.wait !== undefined ? { wait: options.wait } : {}),
          };
          const body = options.description !== undefined ? { description: options.description } : undefined;
          const result = await client.call('POST', path, {
            query,
            answer: DeployAnswerJson,
            ...(body ? { body } : {}),
          });
          if (options.json) return printJson(output, result.body);
          printMessages(output, result.messages);
          // The plan first (what changes compared with what runs now), then the deployment.
          const data = result.data;
          const plan = planFromJson('deploy_id' in data ? data.plan : data);
          output.out(renderPlanText(plan, { color: colourEnabled(process.stdout) }).trimEnd());
          if (!('deploy_id' in data)) return;
          output.out('');
          print(output, (await views()).renderDeploymentDetail(data, output.paintOut));
        });
      },
    );

  group
    .command('cancel')
    .description('Cancel a pending or running deployment (the latest when no ID is given)')
    .argument('[ID]', 'deployment id', 'latest')
    .option('--json', 'print the deployment as JSON')
    .action(async (id: string, options: JsonOption, command: Command) => {
      await runWithClient(command, async (client, output) => {
        const result = await client.call('PUT', `${idPath(id)}/cancel`, { answer: DeploymentJson });
        if (options.json) return printJson(output, result.data);
        printMessages(output, result.messages);
        print(output, (await views()).renderDeploymentDetail(result.data, output.paintOut));
      });
    });
}
