/**
 * What `plan FILE` does: load the config, read the status snapshot (or start from an empty tool), compute the
 * plan on this machine and print it. Kept apart from the command's options so `--help` loads none of it.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { formatDiagnostic, loadConfigFile } from '../config/load.js';
import type { ToolConfig } from '../model/tool-config.js';
import { UserError, unreadableFileMessage } from '../errors.js';
import { planDeployment, planHasChanges } from '../plan/plan-builder.js';
import type { PlanOptions } from '../model/plan.js';
import { resolveRef } from '../runtimes/git.js';
import { emptyObservedState, refKey, type ObservedState } from '../model/observed-state.js';
import { parseStatusSnapshot } from '../status/status-snapshot.js';
import { colourEnabled } from './output.js';
import type { PlanCommandOptions } from './plan-options.js';
import { renderPlanForCli } from './views/plan-view.js';

/** Default tool name: the folder holding the config (`examples/toolhunt/toolforge.yaml` → `toolhunt`). */
function defaultTool(file: string): string {
  return basename(dirname(resolve(file)));
}

async function readStatus(path: string, tool: string): Promise<ObservedState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError('CMP_ERR_STATUS_SNAPSHOT', unreadableFileMessage('status file', path, error), {
      cause: error,
    });
  }
  return parseStatusSnapshot(text, tool, path);
}

/** `git ls-remote` for each source (repository, ref) the snapshot did not resolve, in parallel. */
async function withResolvedRefs(config: ToolConfig, observed: ObservedState): Promise<ObservedState> {
  const wanted = new Map<string, { repository: string; ref: string | undefined }>();
  for (const c of config.components) {
    if (c.build.kind !== 'source') continue;
    const key = refKey(c.build.repository, c.build.ref);
    if (!(key in observed.resolvedRefs))
      wanted.set(key, { repository: c.build.repository, ref: c.build.ref });
  }
  const resolved = await Promise.all(
    [...wanted].map(async ([key, { repository, ref }]) => [key, await resolveRef(repository, ref)] as const),
  );
  return { ...observed, resolvedRefs: { ...observed.resolvedRefs, ...Object.fromEntries(resolved) } };
}

function parseOnly(text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new UserError('CMP_ERR_USAGE', '--only: give at least one component name');
  return names;
}

/**
 * Every failure of `plan` exits 1, whatever code the failing layer chose (an unreadable config is 2 elsewhere,
 * as upstream's CLI): under --detailed-exitcode, 2 must only ever mean "the plan has changes".
 */
export async function runPlan(file: string, options: PlanCommandOptions): Promise<void> {
  try {
    await plan(file, options);
  } catch (error) {
    if (error instanceof UserError && error.exitCode !== 1) {
      throw new UserError(error.code, error.message, { status: error.status, exitCode: 1, cause: error });
    }
    throw error;
  }
}

/** Where the plan's observed state came from, said on stderr (stdout is the plan, maybe JSON). */
function sayState(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function plan(file: string, options: PlanCommandOptions): Promise<void> {
  let state: string;
  if (!options.offline && options.status === undefined) {
    const { planLive } = await import('./live-plan.js'); // the API client loads only when used
    const outcome = await planLive(file, options, defaultTool(file));
    if (outcome.kind === 'planned') {
      sayState(outcome.stateLine);
      if (outcome.exitCode) process.exitCode = outcome.exitCode;
      return;
    }
    if (outcome.kind === 'invalid-config') {
      process.exitCode = 1;
      return;
    }
    state = `Planned offline, against an empty tool: ${outcome.why} (--status SNAPSHOT plans against a snapshot).`;
  } else if (options.status !== undefined) {
    state = `Planned offline, against the status snapshot ${options.status}.`;
  } else {
    state = 'Planned offline, against an empty tool (--offline).';
  }
  // Said once the plan is printed: a file that cannot be planned gets its one error line only.
  if (await planOffline(file, options)) sayState(state);
}

/** Plans on this machine; false when the config has errors (printed). */
async function planOffline(file: string, options: PlanCommandOptions): Promise<boolean> {
  const planOptions: PlanOptions = {
    forceBuild: options.forceBuild === true,
    forceRun: options.forceRun === true,
    prune: options.prune === true,
    ...(options.only !== undefined ? { only: parseOnly(options.only) } : {}),
  };
  const loaded = await loadConfigFile(file);
  for (const d of loaded.diagnostics) console.error(formatDiagnostic(d, loaded.fileName));
  // --json carries the config's warnings too (stderr is not part of what a script reads), before the plan's.
  const configWarnings = loaded.diagnostics
    .filter((d) => d.severity === 'warning')
    .map((d) => formatDiagnostic(d, loaded.fileName).replace(/^warning: /, ''));
  if (!loaded.config) {
    process.exitCode = 1;
    return false;
  }
  const tool = options.tool ?? defaultTool(file);
  let observed = options.status ? await readStatus(options.status, tool) : emptyObservedState(tool);
  if (options.tool !== undefined) observed = { ...observed, tool: options.tool };
  if (options.resolveRefs) observed = await withResolvedRefs(loaded.config, observed);
  const result = planDeployment(loaded.config, observed, planOptions);
  const shown =
    options.json === true && configWarnings.length > 0
      ? { ...result, warnings: [...configWarnings, ...result.warnings] }
      : result;
  process.stdout.write(
    renderPlanForCli(shown, { json: options.json === true, color: colourEnabled(process.stdout) }),
  );
  if (options.detailedExitcode && planHasChanges(result)) process.exitCode = 2;
  return true;
}
