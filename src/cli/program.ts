/**
 * The `toolforge-components` command tree. Each command lives in `cli/commands/<name>.ts` and exports
 * `register(program)`; this file only lists them, in the order `--help` shows them.
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';

// Keep one registration per line: several people add commands here.
const COMMANDS: ReadonlyArray<() => Promise<{ register(program: Command): void }>> = [
  () => import('./commands/config.js'),
  () => import('./commands/plan.js'),
  () => import('./commands/simulate.js'),
  () => import('./commands/logs.js'),
  () => import('./commands/config-remote.js'),
  () => import('./commands/deploy.js'),
  () => import('./commands/status.js'),
  () => import('./commands/deployment.js'),
  () => import('./commands/deploy-token.js'),
  () => import('./commands/serve.js'),
  () => import('./commands/up.js'),
  () => import('./commands/restart.js'),
];

export async function buildProgram(): Promise<Command> {
  const program = new Command('toolforge-components')
    .description(
      'Plan and deploy the components of a Toolforge tool (builds, continuous and scheduled jobs).',
    )
    .version(`Toolforge Components CLI, version ${VERSION}`, '-V, --version')
    .option('-d, --debug', 'print stack traces and debug logs', process.env.TOOLFORGE_DEBUG === '1')
    .option('-v, --verbose', 'print more details', process.env.TOOLFORGE_VERBOSE === '1')
    .showHelpAfterError()
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
  return program;
}
