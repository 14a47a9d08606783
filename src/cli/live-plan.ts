/**
 * `plan FILE` against the live state, as Terraform's `plan` is: when a components API is reachable (`--api-url`,
 * the Toolforge config, or the local instance of `up`), the server plans the file's config against what runs
 * now (POST /deploy?only-plan=true, nothing changes), and the plan is printed as an offline one is. Otherwise
 * the caller plans offline, and says why.
 */
import { ComponentsApiClient } from './api-client.js';
import { ComponentsApiError, ComponentsClientError } from './client-errors.js';
import type { PlanCommandOptions } from './plan-options.js';
import { processOutput } from './output.js';
import { VERSION } from '../version.js';
import { NoTargetError, resolveTarget, type ApiTarget, type TargetSource } from './target.js';
import { renderOnlyPlan } from './views/only-plan.js';

export type LivePlanOutcome =
  | { readonly kind: 'planned'; readonly stateLine: string; readonly exitCode: number }
  /** The config has errors (already printed with their line:column). */
  | { readonly kind: 'invalid-config' }
  /** No server to ask: `why` completes "Planned offline, against an empty tool: …". */
  | { readonly kind: 'offline'; readonly why: string };

const SOURCE_TEXT: Readonly<Record<TargetSource, string>> = {
  flag: '--api-url',
  env: 'TOOLFORGE_COMPONENTS_API_URL',
  gateway: 'the Toolforge API gateway',
  'local-instance': 'the local instance',
};

function target(options: PlanCommandOptions, defaultTool: string): ApiTarget {
  const context = { env: process.env, version: VERSION };
  const apiUrl = options.apiUrl ? { apiUrl: options.apiUrl } : {};
  try {
    return resolveTarget({ ...apiUrl, ...(options.tool ? { tool: options.tool } : {}) }, context);
  } catch (error) {
    // A server without a tool of its own to plan for: the config file's folder names it, as offline.
    if (error instanceof NoTargetError && /No tool selected/.test(error.message))
      return resolveTarget({ ...apiUrl, tool: defaultTool }, context);
    throw error;
  }
}

const isMissingRoute = (error: unknown): boolean =>
  error instanceof ComponentsApiError && error.httpStatus === 404 && error.message === 'Not Found';

export async function planLive(
  file: string,
  options: PlanCommandOptions,
  defaultTool: string,
): Promise<LivePlanOutcome> {
  let where: ApiTarget;
  try {
    where = target(options, defaultTool);
  } catch (error) {
    if (error instanceof NoTargetError && !options.apiUrl)
      return { kind: 'offline', why: 'no components API is running' };
    throw error;
  }
  const { readDeployBody } = await import('./deploy-body.js');
  const body = await readDeployBody(file, (line) => process.stderr.write(`${line}\n`));
  if (body === undefined) return { kind: 'invalid-config' };
  const client = new ComponentsApiClient(where);
  try {
    const result = await client.call('POST', '/deploy', {
      query: {
        'only-plan': true,
        'force-build': options.forceBuild === true,
        'force-run': options.forceRun === true,
        prune: options.prune === true,
        ...(options.only !== undefined ? { only: options.only } : {}),
      },
      body,
    });
    // The config's own warnings were printed with their positions by readDeployBody; the plan lists its own.
    const quiet = { ...result, messages: { ...result.messages, warning: [] } };
    const exitCode = renderOnlyPlan(
      quiet,
      { json: options.json === true, detailedExitcode: options.detailedExitcode === true },
      processOutput(),
    );
    const stateLine = `Planned against the live state of tool ${where.tool} at ${where.apiRoot} (${SOURCE_TEXT[where.source]}); --offline plans against an empty tool.`;
    return { kind: 'planned', stateLine, exitCode };
  } catch (error) {
    if (options.apiUrl) throw error; // asked for this server: its failure is the answer
    if (isMissingRoute(error)) return { kind: 'offline', why: `${where.apiRoot} has no plan support` };
    if (error instanceof ComponentsClientError)
      return {
        kind: 'offline',
        why: `${SOURCE_TEXT[where.source]} at ${where.apiRoot} did not answer (${error.message})`,
      };
    throw error;
  } finally {
    await client.close();
  }
}
