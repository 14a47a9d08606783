/**
 * How the API hands work to the executor without knowing how it runs: after a deployment is stored (or flagged
 * for cancellation) the API calls `notify`. Without an executor, deployments stay `pending` (nothing fakes
 * progress).
 */
export interface DeploymentScheduler {
  /** A deployment was created, resumed or flagged for cancellation: look at it soon. */
  notify(deploymentId: string): void;
}
