/**
 * `deploy [FILE]`: send the config, create the deployment (POST /deploy) and follow it live until every
 * component is deployed and healthy (exit 0) or something failed or was cancelled (exit 1). `--only-plan`
 * prints the plan and changes nothing; `--detach` returns once the deployment exists.
 */
import type { Command } from 'commander';
import type { ApiResult, ComponentsApiClient } from '../api-client.js';
import { UserError } from '../../errors.js';
import { ComponentsApiError, ComponentsClientError } from '../client-errors.js';
import { DeployAnswerJson, DeploymentJson, type DeploymentJsonT } from '../../model/wire/deployment-json.js';
import type { PlanJsonT } from '../../model/wire/plan-json.js';
import { ToolStatusJson, type ToolStatusJsonT } from '../../model/wire/tool-status-json.js';
import { fetchDeployment, followDeployment } from '../deploy-follow.js';
import { printJson, printMessages, type Output } from '../output.js';
import { ensureTargetOptions, runWithClient } from '../run-action.js';
import {
  deployedEverything,
  progressFromDeployment,
  startLine,
  type DeployProgress,
} from '../views/deploy-progress.js';
import {
  DEFAULT_REMINDER_MS,
  PlainProgress,
  TtyProgress,
  type ProgressRenderer,
} from '../views/progress-renderers.js';
import { parseDuration } from '../../duration.js';
import { watchInterrupts } from '../interrupt.js';

export interface DeployOptions {
  readonly onlyPlan?: boolean;
  readonly forceBuild?: boolean;
  readonly forceRun?: boolean;
  readonly prune?: boolean;
  readonly detach?: boolean;
  readonly json?: boolean;
  readonly planId?: string;
  readonly detailedExitcode?: boolean;
  readonly description?: string;
  /** Handle Ctrl-C (ask to cancel or stop watching). Off when the caller handles signals itself (`up`). */
  readonly interrupts?: boolean;
  /** `--timeout`: deadline of each wait for a component to be healthy (a duration text, checked before sending). */
  readonly timeout?: string;
}

const quiet: ProgressRenderer = {
  update: () => undefined,
  pause: () => undefined,
  resume: () => undefined,
  finish: () => undefined,
};

/** How often a long wait is reminded of on a non-terminal: TOOLFORGE_COMPONENTS_REMINDER (e.g. `10s`), else 30 s. */
function reminderMs(): number {
  const text = process.env.TOOLFORGE_COMPONENTS_REMINDER;
  return text ? parseDuration(text, 'TOOLFORGE_COMPONENTS_REMINDER') : DEFAULT_REMINDER_MS;
}

function renderer(options: DeployOptions, output: Output): ProgressRenderer {
  if (options.json) return quiet;
  // Not a terminal (CI, `> file`): the result lines on stdout as always, and what happens meanwhile on stderr.
  return process.stdout.isTTY
    ? new TtyProgress(process.stdout, output.paintOut)
    : new PlainProgress(output.out, { print: output.err, reminderMs: reminderMs() });
}

/** `Published:` and each published component's URL, as `up` shows them (our server's status route only). */
async function printPublished(client: ComponentsApiClient, output: Output): Promise<void> {
  let jobs: ToolStatusJsonT['jobs'];
  try {
    jobs = (await client.call('GET', '/status', { answer: ToolStatusJson })).data.jobs;
  } catch {
    // A nicety, not the deployment's outcome: upstream's components-api has no status route, and a status the
    // server cannot read now must not turn a finished deployment into an error.
    return;
  }
  const published = jobs.filter((job) => job.url);
  if (published.length === 0) return;
  output.out('Published:');
  for (const job of published) output.out(`  ${job.name ?? '?'}: ${job.url ?? ''}`);
}

/** Log lines shown under a failure that does not carry its own (a timed-out health wait). */
const TAIL_LINES = 5;

/**
 * Where to read more about what failed, per failed task: the log command, and, when the server is this
 * machine's local instance and the failure does not quote the log already, the log's last lines.
 */
async function printFailureHelp(
  client: ComponentsApiClient,
  progress: DeployProgress,
  output: Output,
): Promise<void> {
  const failed = progress.tasks.filter((t) => t.state === 'failed');
  if (failed.length === 0) return;
  const { localDataDirOf, lastLogLines } = await import('../local-log-tail.js');
  const dataDir = localDataDirOf(client.target);
  for (const task of failed) {
    if (task.kind === 'build') {
      output.err(`The build log of ${task.component}: toolforge-components logs ${task.component} --build`);
      continue;
    }
    const quoted = /last log lines/.test(task.reason ?? '');
    const tail =
      dataDir && !quoted ? await lastLogLines(dataDir, client.tool, task.component, TAIL_LINES) : [];
    if (tail.length > 0) {
      output.err(`Last lines of ${task.component}'s log:`);
      for (const line of tail) output.err(`  ${line}`);
    }
    output.err(`The log of ${task.component}: toolforge-components logs ${task.component}`);
  }
}

async function follow(
  client: ComponentsApiClient,
  created: DeploymentJsonT,
  options: DeployOptions,
  output: Output,
): Promise<number> {
  const id = created.deploy_id;
  let progress: DeployProgress = progressFromDeployment(client.tool, created);
  if (!options.json) output.out(startLine(client.tool, id));
  const view = renderer(options, output);
  const stop = new AbortController();
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const interrupts =
    options.interrupts === false
      ? { dispose: () => undefined }
      : watchInterrupts({ client, deploymentId: id, view, stop, output, interactive });
  try {
    view.update(progress);
    progress = await followDeployment(client, progress, {
      signal: stop.signal,
      onProgress: (p) => view.update(p),
    });
  } finally {
    interrupts.dispose();
  }
  if (stop.signal.aborted) {
    view.pause();
    output.err(
      `Stopped watching. Deployment ${id} goes on; see it with: toolforge-components deployment show ${id}`,
    );
    return 1;
  }
  const final = await fetchDeployment(client, id);
  progress = progressFromDeployment(client.tool, final, progress.lastSeq);
  view.finish(progress);
  if (options.json) {
    printJson(output, final);
  } else {
    await printPublished(client, output);
    await printFailureHelp(client, progress, output);
  }
  return deployedEverything(progress) ? 0 : 1;
}

/**
 * POST /deploy with `body` (a parsed config, or undefined for the stored one), then the plan (--only-plan), the
 * id (--detach) or live progress until the end. Returns the exit code; API errors are thrown.
 */
/** Starlette's (and Fastify's) answer for a route the server does not have. */
function isMissingRoute(error: unknown): boolean {
  return error instanceof ComponentsApiError && error.httpStatus === 404 && error.message === 'Not Found';
}

/**
 * Upstream's components-api has no POST /deploy: store the config (when a file was given), then create the
 * deployment as upstream's CLI does. No plan there, so --only-plan cannot work.
 */
async function createOnUpstream(
  client: ComponentsApiClient,
  output: Output,
  body: unknown,
  options: DeployOptions,
): Promise<ApiResult<DeploymentJsonT>> {
  if (options.onlyPlan) {
    throw new UserError(
      'CMP_ERR_NO_PLAN_SUPPORT',
      'This components-api has no plan support (no POST /deploy): --only-plan needs a toolforge-components server',
    );
  }
  if (options.timeout !== undefined && !options.json) {
    output.err(
      `Warning: this components-api has no deadline option: --timeout ${options.timeout} is ignored`,
    );
  }
  if (body !== undefined) {
    const stored = await client.call('POST', '/config', { body });
    if (!options.json) printMessages(output, { ...stored.messages, info: [] });
  }
  return client.call('POST', '/deployment', {
    answer: DeploymentJson,
    query: { 'force-build': options.forceBuild === true, 'force-run': options.forceRun === true },
    ...(options.description ? { body: { description: options.description } } : {}),
  });
}

/**
 * POST /deploy with `body` (a parsed config, or undefined for the stored one), then the plan (--only-plan), the
 * id (--detach) or live progress until the end. Returns the exit code; API errors are thrown.
 */
export async function runDeploy(
  client: ComponentsApiClient,
  output: Output,
  body: unknown,
  options: DeployOptions = {},
): Promise<number> {
  let result: ApiResult<DeploymentJsonT | PlanJsonT>;
  try {
    result = await client.call('POST', '/deploy', {
      answer: DeployAnswerJson,
      query: {
        'only-plan': options.onlyPlan === true,
        'force-build': options.forceBuild === true,
        'force-run': options.forceRun === true,
        prune: options.prune === true,
        'plan-id': options.planId,
        description: options.description,
        timeout: options.timeout,
      },
      ...(body !== undefined ? { body } : {}),
    });
  } catch (error) {
    if (!isMissingRoute(error)) throw error;
    result = await createOnUpstream(client, output, body, options);
  }
  if (options.onlyPlan) {
    const { renderOnlyPlan } = await import('../views/only-plan.js'); // the plan renderer is not small
    return renderOnlyPlan(result, options, output);
  }
  const created = result.data;
  if (!('deploy_id' in created))
    throw new ComponentsClientError(
      'Unexpected answer to POST /deploy: a plan where the deployment was expected',
    );
  // Our own lines say what happens; the server's info line would only repeat it. Warnings still go to stderr.
  if (!options.json) printMessages(output, { ...result.messages, info: [] });
  if (options.detach) {
    if (options.json) printJson(output, created);
    else output.out(created.deploy_id);
    return 0;
  }
  return follow(client, created, options, output);
}

export function register(program: Command): void {
  ensureTargetOptions(program);
  program
    .command('deploy')
    .description(
      'Deploy a config (or the stored one): build and deploy in dependency order, showing live progress',
    )
    .argument('[FILE]', 'config file (either dialect); the stored config when omitted')
    .option('--only-plan', 'print the plan and change nothing')
    .option('--detailed-exitcode', 'with --only-plan: exit 2 when the plan has changes')
    .option('--force-build', 'rebuild every image even when a build for the same commit exists')
    .option('--force-run', 'restart every component even when its job is unchanged')
    .option('--prune', 'delete jobs of components the config no longer lists')
    .option('--detach', 'return once the deployment is created (prints its id)')
    .option('--plan-id <id>', 'refuse to deploy if the plan differs from this one (from --only-plan)')
    .option('--description <text>', 'why this deployment (kept with it)')
    .option(
      '--timeout <duration>',
      "how long each component may take to become healthy, e.g. 30s, 10m (default: the server's, 10m)",
    )
    .option('--json', 'print the plan or the final deployment as JSON')
    .action(async (file: string | undefined, options: DeployOptions, command: Command) => {
      if (options.timeout !== undefined) parseDuration(options.timeout, '--timeout'); // refused before anything is sent
      let body: unknown;
      if (file !== undefined) {
        const { readDeployBody } = await import('../deploy-body.js'); // yaml + the config loader
        body = await readDeployBody(file, (line) => process.stderr.write(`${line}\n`));
        if (body === undefined) {
          process.exitCode = 1;
          return;
        }
      }
      await runWithClient(command, (client, output) => runDeploy(client, output, body, options));
    });
}
