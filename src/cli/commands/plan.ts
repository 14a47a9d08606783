/**
 * `toolforge-components plan FILE`: the deployment plan of a config against the live state when a components API
 * is reachable (the local instance, `--api-url`, the Toolforge config: the server plans, nothing changes), else
 * — or with `--offline` / `--status` — computed locally against a status snapshot (`--status`, our
 * ObservedState JSON or raw builds-api/jobs-api answers) or an empty tool. It says on stderr which state it used.
 *
 * Exit codes (Terraform's): 0 ok, 1 error, and with --detailed-exitcode 2 when the plan has changes.
 */
import type { Command } from 'commander';
import type { PlanCommandOptions } from '../plan-options.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'Show what deploying a config would do (builds, jobs to create/update/restart/delete, task order)',
    )
    .argument('<file>', 'config file (YAML or JSON, either dialect)')
    .option(
      '--status <file>',
      'status snapshot: ObservedState JSON or {"builds": …, "jobs": …} API answers (plans offline against it)',
    )
    .option('--offline', 'plan against an empty tool (or --status) even when a components API is reachable')
    .option('--tool <name>', "the tool's name (default: the snapshot's, else the config file's folder)")
    .option('--json', 'print the plan as JSON (see docs/plan-json.md)')
    .option('--force-build', 'build every source component again')
    .option('--force-run', 'restart every job even when nothing changed')
    .option('--prune', 'delete jobs we deployed earlier that the config no longer lists')
    .option('--only <names>', 'plan only these components (comma-separated), plus the builds they need')
    .option(
      '--resolve-refs',
      'resolve refs the snapshot did not with git ls-remote (contacts the repositories)',
    )
    .option('--detailed-exitcode', 'exit 2 when the plan has changes (0: none, 1: error)')
    .action(async (file: string, options: PlanCommandOptions, command: Command) => {
      // `--tool` before the command (the global one) counts as well as after it.
      const globals = command.optsWithGlobals<{ apiUrl?: string; tool?: string }>();
      const tool = options.tool ?? globals.tool;
      await (
        await import('../local-plan.js')
      ).runPlan(file, {
        ...options,
        ...(tool ? { tool } : {}),
        ...(globals.apiUrl ? { apiUrl: globals.apiUrl } : {}),
      });
    });
}
