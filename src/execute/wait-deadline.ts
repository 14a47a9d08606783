/**
 * When a wait for a job to be healthy/registered gives up. The deployment's own timeout (`deploy --timeout`, the
 * deploy routes' `timeout`, stored as `Deployment.waitTimeoutMs`) bounds all of the deployment's waiting: it runs
 * from the deployment's start, so `--timeout 10m` means "done waiting within 10 minutes", however many wait-for
 * levels there are. Without one, each wait gets the executor's `waitTimeoutMs` from its own start. The one place
 * that reads either, so a per-deployment deadline and the default cannot disagree.
 */
import type { Deployment } from '../model/deployment.js';

export interface WaitDeadline {
  /** Clock time (ms) after which the wait fails. */
  readonly at: number;
  /** The timeout that sets it, for the failure text (`timed out after 10m …`). */
  readonly timeoutMs: number;
}

export function waitDeadlineOf(
  deployment: Pick<Deployment, 'waitTimeoutMs' | 'startedAt'>,
  waitBegan: number,
  defaultMs: number,
): WaitDeadline {
  const started = deployment.startedAt === undefined ? Number.NaN : Date.parse(deployment.startedAt);
  if (deployment.waitTimeoutMs !== undefined && Number.isFinite(started)) {
    return { at: started + deployment.waitTimeoutMs, timeoutMs: deployment.waitTimeoutMs };
  }
  return {
    at: waitBegan + (deployment.waitTimeoutMs ?? defaultMs),
    timeoutMs: deployment.waitTimeoutMs ?? defaultMs,
  };
}
