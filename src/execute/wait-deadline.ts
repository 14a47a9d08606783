/**
 * The deadline of a wait for a job to be healthy/registered: the deployment's own (`deploy --timeout`, the
 * deploy routes' `timeout`, stored as `Deployment.waitTimeoutMs`), else the executor's `waitTimeoutMs`. The one
 * place that reads it, so a per-deployment deadline and the default cannot disagree.
 */
import type { Deployment } from './deployment.js';

export function waitTimeoutOf(deployment: Pick<Deployment, 'waitTimeoutMs'>, defaultMs: number): number {
  return deployment.waitTimeoutMs ?? defaultMs;
}
