/**
 * Deployment events as upstream components-api sends them to Toolforge's logs service: one when a deployment
 * is created, one when it succeeds and one when it fails (a cancelled or timed-out deployment counts as
 * failed, and its event carries the error). The executor only says when a deployment reached a final state;
 * building the event and delivering it happens outside (src/api/deployment-event-reporter.ts), so a logs
 * service that is down can never fail or slow down a deployment.
 */
import type { DeploymentState } from '../model/deployment.js';

export type DeploymentEventType = 'created' | 'succeeded' | 'failed';

/** The body POSTed to `/logs/v1/tool/{tool}/source/deployments/log` (and written to the local event log). */
export interface DeploymentLogEvent {
  readonly source: 'deployments';
  readonly event_type: DeploymentEventType;
  readonly deployment_id: string;
  /** ISO 8601 UTC, when it happened. */
  readonly datetime: string;
  /** The user who asked for the deployment (the gateway's `x-toolforge-user`), null when unknown. */
  readonly user_name: string | null;
  /** Upstream's `runs` map: component → `{run_status, run_long_status}`. */
  readonly jobs: Readonly<Record<string, unknown>>;
  /** Upstream's `builds` map: component → `{build_id, build_status, …}`. */
  readonly builds: Readonly<Record<string, unknown>>;
  readonly description: string;
  /** Failed events only: why (the deployment's long status). */
  readonly error?: string;
}

/** Delivers events. Implementations must not throw for a service that is down: they report and return. */
export interface DeploymentEventSink {
  send(tool: string, event: DeploymentLogEvent): Promise<void>;
  close?(): Promise<void>;
}

export const NO_DEPLOYMENT_EVENTS: DeploymentEventSink = { send: () => Promise.resolve() };

/** The event a deployment state calls for: only creation and the final states are reported. */
export function eventTypeFor(state: DeploymentState): DeploymentEventType | undefined {
  switch (state) {
    case 'pending':
      return 'created';
    case 'successful':
      return 'succeeded';
    case 'failed':
    case 'cancelled':
    case 'timed_out':
      return 'failed';
    default:
      return undefined;
  }
}
