/**
 * Everything the server, the executor and the local runtime keep, behind one small interface. One Kysely
 * implementation serves SQLite (the embedded default) and PostgreSQL; dialect differences live in
 * `store/dialects`, never in callers. Every method is one transaction.
 */
import type { ToolConfig } from '../model/tool-config.js';
import type { Deployment, DeploymentEvent, DeploymentState, DeploymentTask } from '../model/deployment.js';

export interface StoredConfig {
  readonly tool: string;
  /** As the client sent it (JSON-compatible), for GET /config. */
  readonly raw: unknown;
  readonly config: ToolConfig;
  readonly updatedAt: string;
  /** Changes on every write: part of what makes a saved plan stale. */
  readonly revision: number;
}

export interface StoredToken {
  readonly tool: string;
  /** sha256 of the token: what requests are compared with (in constant time). */
  readonly hash: string;
  readonly createdAt: string;
  /**
   * The token sealed with the server's token key (never the plain text). Absent for tokens created before
   * tokens were kept encrypted: those can authenticate but never be shown.
   */
  readonly secret?: string;
}

export type DeploymentPatch = Partial<
  Pick<Deployment, 'state' | 'longStatus' | 'startedAt' | 'finishedAt' | 'deployed'>
>;
export type TaskPatch = Partial<Omit<DeploymentTask, 'deploymentId' | 'id' | 'kind' | 'component'>>;

/** Thrown by `createDeployment` when the tool already has a pending or running deployment. */
export class ActiveDeploymentExistsError extends Error {
  constructor(
    readonly active: { readonly id: string; readonly createdAt: string; readonly state: DeploymentState },
  ) {
    super(`deployment ${active.id} (${active.state}, created ${active.createdAt}) is still active`);
    this.name = 'ActiveDeploymentExistsError';
  }
}

export interface Lease {
  readonly deploymentId: string;
  readonly owner: string;
  readonly expiresAt: string;
}

export interface Store {
  getConfig(tool: string): Promise<StoredConfig | undefined>;
  putConfig(tool: string, raw: unknown, config: ToolConfig): Promise<StoredConfig>;
  deleteConfig(tool: string): Promise<StoredConfig | undefined>;

  getToken(tool: string): Promise<StoredToken | undefined>;
  putToken(token: StoredToken): Promise<void>;
  deleteToken(tool: string): Promise<StoredToken | undefined>;
  /** Every tool's token (key rotation re-seals them). */
  listTokens(): Promise<StoredToken[]>;
  /** Compare-and-set of a token's sealed value; false when the row no longer holds `expected`. */
  replaceTokenSecret(tool: string, expected: string, secret: string): Promise<boolean>;

  /** Every stored config, by tool name (config search). */
  listConfigs(): Promise<StoredConfig[]>;

  /**
   * Stores the deployment and its tasks (state `pending`) atomically. At most one pending/running deployment
   * per tool is enforced by the database (unique partial index): otherwise `ActiveDeploymentExistsError`.
   * Keeps only the newest `retain` deployments of the tool (upstream: 25).
   */
  createDeployment(deployment: Deployment, tasks: readonly DeploymentTask[], retain?: number): Promise<void>;
  getDeployment(tool: string, id: string): Promise<Deployment | undefined>;
  /** Oldest first (upstream's storage order). */
  listDeployments(tool: string): Promise<Deployment[]>;
  latestDeployment(tool: string): Promise<Deployment | undefined>;
  deleteDeployment(tool: string, id: string): Promise<Deployment | undefined>;
  /** Compare-and-set on the state when `expected` is given; returns the updated row or undefined if it lost. */
  updateDeployment(
    id: string,
    patch: DeploymentPatch,
    expected?: readonly DeploymentState[],
  ): Promise<Deployment | undefined>;
  /** Deployments in one of `states`, any tool (the executor's work list, time-outs). */
  findDeployments(states: readonly DeploymentState[]): Promise<Deployment[]>;
  /**
   * Marks the tool's pending/running deployments created before `createdBefore` as `timed_out` (upstream's
   * 1 h rule) in one statement and returns them. Optional: callers fall back to list + updateDeployment.
   */
  expireStaleDeployments?(tool: string, createdBefore: string): Promise<Deployment[]>;
  /** Number of stored deployments per state, all tools (for the metrics gauge). Optional. */
  countDeploymentsByState?(): Promise<Partial<Record<DeploymentState, number>>>;

  listTasks(deploymentId: string): Promise<DeploymentTask[]>;
  updateTask(deploymentId: string, taskId: string, patch: TaskPatch): Promise<DeploymentTask>;

  /** Appends with the next `seq` for the deployment. */
  appendEvent(event: Omit<DeploymentEvent, 'seq'>): Promise<DeploymentEvent>;
  listEvents(deploymentId: string, afterSeq?: number): Promise<DeploymentEvent[]>;

  /**
   * Leases: a replica executes a deployment only while it holds its lease. `acquireLease` succeeds when there
   * is none, it is expired, or `owner` already holds it (renewal).
   */
  acquireLease(deploymentId: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(deploymentId: string, owner: string): Promise<void>;

  /** Components the last successful deployment of the tool deployed (for orphan detection). */
  managedComponents(tool: string): Promise<string[]>;

  /**
   * A number that changes (grows) whenever this store object has written something of the tool: its config, its
   * token, its deployments. In-process caches of those reads (src/api/tool-cache.ts) compare it to tell whether
   * what they hold is still current without a query. It knows nothing of writes by other processes (other
   * replicas on the same database), so such caches must also expire by age. Optional: without it, do not cache.
   */
  localWriteRevision?(tool: string): number;

  close(): Promise<void>;
}
