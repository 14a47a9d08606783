/**
 * "Undeployed changes" (issue 13; upstream users asked for it): the stored config is not what the last
 * successful deployment deployed. Compared by config digest, so key order or a round-trip through PostgreSQL
 * does not count as a change. Shared by GET /status (and so the CLI `status`) and the dashboard.
 */
import type { ToolConfig } from '../model/tool-config.js';
import type { Deployment } from '../model/deployment.js';
import { configDigest } from '../plan/digest.js';

/** The newest successful deployment (any order in): its config snapshot is what runs. */
export function lastSuccessfulDeployment(deployments: readonly Deployment[]): Deployment | undefined {
  let newest: Deployment | undefined;
  for (const d of deployments)
    if (d.state === 'successful' && (!newest || d.createdAt >= newest.createdAt)) newest = d;
  return newest;
}

export type DeployedConfigState =
  /** No stored config: nothing to compare. */
  | { readonly kind: 'no-config' }
  /** A config is stored but no deployment of the tool ever succeeded. */
  | { readonly kind: 'never-deployed' }
  | { readonly kind: 'deployed'; readonly deployment: string }
  | { readonly kind: 'undeployed-changes'; readonly deployment: string };

export function deployedConfigState(
  stored: ToolConfig | undefined,
  lastSuccessful: Pick<Deployment, 'id' | 'config'> | undefined,
): DeployedConfigState {
  if (stored === undefined) return { kind: 'no-config' };
  if (!lastSuccessful) return { kind: 'never-deployed' };
  return configDigest(lastSuccessful.config) === configDigest(stored)
    ? { kind: 'deployed', deployment: lastSuccessful.id }
    : { kind: 'undeployed-changes', deployment: lastSuccessful.id };
}

/** True when deploying the stored config would deploy something the last successful deployment did not. */
export function hasUndeployedChanges(state: DeployedConfigState): boolean {
  return state.kind === 'never-deployed' || state.kind === 'undeployed-changes';
}
