/**
 * A deployment and its tasks, as the executor advances them and the store keeps them. Upstream's `builds` and
 * `runs` maps (what upstream clients read) are derived from the tasks by the API layer, not stored twice.
 */
import type { Plan } from './plan.js';
import type { ToolConfig } from './tool-config.js';

/** Upstream's states, plus nothing: clients of upstream switch on these. */
export const DEPLOYMENT_STATES = [
  'pending',
  'running',
  'cancelling',
  'cancelled',
  'successful',
  'failed',
  'timed_out',
] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];
export const ACTIVE_DEPLOYMENT_STATES: readonly DeploymentState[] = ['pending', 'running'];
export const FINAL_DEPLOYMENT_STATES: readonly DeploymentState[] = [
  'cancelled',
  'successful',
  'failed',
  'timed_out',
];

export const TASK_STATES = [
  'pending', // not started: dependencies not done yet
  'waiting', // dependencies' wait-for conditions not met yet (reason says which)
  'running',
  'succeeded',
  'failed',
  'skipped', // a dependency failed, or the deployment was cancelled before it started
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const FINAL_TASK_STATES: readonly TaskState[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

export interface DeploymentTask {
  readonly deploymentId: string;
  /** Plan task id: `build:<c>`, `deploy:<c>`, `delete:<c>`. */
  readonly id: string;
  readonly kind: 'build' | 'deploy' | 'delete';
  readonly component: string;
  readonly state: TaskState;
  /** Human text: why it is in this state (`waiting for toolhunt-api: 1/2 replicas healthy`, an error, …). */
  readonly reason?: string;
  readonly attempts: number;
  /** Components this task is currently waiting for (empty when not waiting). */
  readonly waitingFor: readonly string[];
  /** Runtime id of the work it started (the build id): how a restarted server re-attaches instead of redoing. */
  readonly externalId?: string;
  /** Task output, e.g. `{ image }` for a build, `{ changed, messages }` for a deploy. */
  readonly result?: Readonly<Record<string, unknown>>;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Earliest time the executor should look at it again (backoff, polling). */
  readonly notBefore?: string;
}

export interface Deployment {
  /** `<YYYYmmdd-HHMMSS>-<10 chars [a-z0-9]>` (upstream's format). */
  readonly id: string;
  readonly tool: string;
  /** ISO 8601 with milliseconds; upstream's `creation_time` is derived from it. */
  readonly createdAt: string;
  readonly description: string;
  readonly forceBuild: boolean;
  readonly forceRun: boolean;
  readonly prune: boolean;
  readonly state: DeploymentState;
  readonly longStatus?: string;
  /** The config as the client sent it (upstream's `tool_config` snapshot). */
  readonly toolConfig: unknown;
  readonly config: ToolConfig;
  readonly plan: Plan;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The user who asked for it (gateway header `x-toolforge-user`): deployment events name them. */
  readonly requestedBy?: string;
  /**
   * Deadline of each wait for a job to be healthy/registered in this deployment (the deploy's `timeout`);
   * absent: the executor's `waitTimeoutMs`. Read by `waitDeadlineOf` (wait-deadline.ts) only.
   */
  readonly waitTimeoutMs?: number;
  /**
   * What it deployed (commit, build, image per component): from the plan when created, completed from the
   * build tasks when it ends (`whatDeployed`, deployed.ts). Absent for deployments stored before it existed.
   */
  readonly deployed?: DeployedRecord;
}

export interface DeploymentEvent {
  /** Increasing per deployment, starting at 1: the SSE id, so `Last-Event-ID` resumes after it. */
  readonly seq: number;
  readonly deploymentId: string;
  readonly at: string;
  readonly type: 'task' | 'deployment';
  readonly taskId?: string;
  readonly state: TaskState | DeploymentState;
  readonly reason?: string;
}

export interface DeployedComponent {
  /** The commit its image was built from (for a `reuse-from` component: its parent's). */
  readonly commit?: string;
  /** The build that made the image, when one did. */
  readonly buildId?: string;
  /** The image its job runs (a new build's is known once the build succeeded). */
  readonly image?: string;
}

/** Component name → what was deployed for it; components the deployment did not deploy are absent. */
export type DeployedRecord = Readonly<Record<string, DeployedComponent>>;
