/**
 * Row ⇄ domain record conversions. JSON columns are text in both dialects; booleans are 0/1; absent optional
 * fields are NULL and come back as absent (not `null`), so records read back equal what was written.
 */
import type { Insertable, Selectable } from 'kysely';
import type { ToolConfig } from '../model/tool-config.js';
import type {
  Deployment,
  DeploymentEvent,
  DeploymentState,
  DeploymentTask,
  TaskState,
} from '../model/deployment.js';
import type { Plan } from '../model/plan.js';
import type { DeployedRecord } from '../model/deployment.js';
import type { StoredConfig, StoredToken } from './store.js';
import type { ConfigsTable, DeploymentsTable, EventsTable, TasksTable, TokensTable } from './schema.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Drops undefined values so `{ reason: undefined }` and `{}` store and compare alike. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export function configFromRow(row: Selectable<ConfigsTable>): StoredConfig {
  return {
    tool: row.tool,
    raw: parseJson<unknown>(row.raw),
    config: parseJson<ToolConfig>(row.config),
    updatedAt: row.updated_at,
    revision: Number(row.revision),
  };
}

export function tokenFromRow(row: Selectable<TokensTable>): StoredToken {
  const token = { tool: row.tool, hash: row.hash, createdAt: row.created_at };
  return row.secret === null ? token : { ...token, secret: row.secret };
}

export function deploymentToRow(d: Deployment): Insertable<DeploymentsTable> {
  return {
    id: d.id,
    tool: d.tool,
    created_at: d.createdAt,
    description: d.description,
    force_build: d.forceBuild ? 1 : 0,
    force_run: d.forceRun ? 1 : 0,
    prune: d.prune ? 1 : 0,
    state: d.state,
    long_status: d.longStatus ?? null,
    tool_config: JSON.stringify(d.toolConfig ?? null),
    config: JSON.stringify(d.config),
    plan: JSON.stringify(d.plan),
    started_at: d.startedAt ?? null,
    finished_at: d.finishedAt ?? null,
    requested_by: d.requestedBy ?? null,
    wait_timeout_ms: d.waitTimeoutMs ?? null,
    deployed: d.deployed === undefined ? null : JSON.stringify(d.deployed),
  };
}

/** The columns a deployment never changes once created: parsed once per process (see kysely-store.ts). */
export interface DeploymentSnapshot {
  readonly toolConfig: unknown;
  readonly config: ToolConfig;
  readonly plan: Plan;
}

type SnapshotColumn = 'tool_config' | 'config' | 'plan';
export type DeploymentHeadRow = Omit<Selectable<DeploymentsTable>, SnapshotColumn>;

/** Every deployments column but the snapshot ones: what the frequent reads select. */
export const DEPLOYMENT_HEAD_COLUMNS = [
  'id',
  'tool',
  'created_at',
  'description',
  'force_build',
  'force_run',
  'prune',
  'state',
  'long_status',
  'started_at',
  'finished_at',
  'requested_by',
  'wait_timeout_ms',
  'deployed',
  'ordinal',
  'event_seq',
] as const satisfies readonly (keyof DeploymentHeadRow)[];

export function snapshotFromRow(row: Pick<Selectable<DeploymentsTable>, SnapshotColumn>): DeploymentSnapshot {
  return {
    toolConfig: parseJson<unknown>(row.tool_config),
    config: parseJson<ToolConfig>(row.config),
    plan: parseJson<Plan>(row.plan),
  };
}

export function deploymentFromParts(row: DeploymentHeadRow, snapshot: DeploymentSnapshot): Deployment {
  // Built field by field (not through `defined`): this runs for every deployment a request reads.
  const deployment: Mutable<Deployment> = {
    id: row.id,
    tool: row.tool,
    createdAt: row.created_at,
    description: row.description,
    forceBuild: Number(row.force_build) === 1,
    forceRun: Number(row.force_run) === 1,
    prune: Number(row.prune) === 1,
    state: row.state as DeploymentState,
    toolConfig: snapshot.toolConfig,
    config: snapshot.config,
    plan: snapshot.plan,
  };
  if (deployment.toolConfig === null) delete deployment.toolConfig;
  if (row.long_status !== null) deployment.longStatus = row.long_status;
  if (row.started_at !== null) deployment.startedAt = row.started_at;
  if (row.finished_at !== null) deployment.finishedAt = row.finished_at;
  if (row.requested_by !== null) deployment.requestedBy = row.requested_by;
  if (row.wait_timeout_ms !== null) deployment.waitTimeoutMs = Number(row.wait_timeout_ms);
  if (row.deployed !== null) deployment.deployed = parseJson<DeployedRecord>(row.deployed);
  return deployment;
}

export function deploymentFromRow(row: Selectable<DeploymentsTable>): Deployment {
  return deploymentFromParts(row, snapshotFromRow(row));
}

export function taskToRow(task: DeploymentTask, position: number): TasksTable {
  return {
    deployment_id: task.deploymentId,
    id: task.id,
    position,
    kind: task.kind,
    component: task.component,
    state: task.state,
    reason: task.reason ?? null,
    attempts: task.attempts,
    waiting_for: JSON.stringify(task.waitingFor),
    external_id: task.externalId ?? null,
    result: task.result === undefined ? null : JSON.stringify(task.result),
    started_at: task.startedAt ?? null,
    finished_at: task.finishedAt ?? null,
    not_before: task.notBefore ?? null,
  };
}

export function taskFromRow(row: Selectable<TasksTable>): DeploymentTask {
  const task: Mutable<DeploymentTask> = {
    deploymentId: row.deployment_id,
    id: row.id,
    kind: row.kind as DeploymentTask['kind'],
    component: row.component,
    state: row.state as TaskState,
    attempts: Number(row.attempts),
    waitingFor: row.waiting_for === '[]' ? [] : parseJson<string[]>(row.waiting_for),
  };
  if (row.reason !== null) task.reason = row.reason;
  if (row.external_id !== null) task.externalId = row.external_id;
  if (row.result !== null) {
    const result = parseJson<Record<string, unknown> | null>(row.result);
    if (result !== null) task.result = result;
  }
  if (row.started_at !== null) task.startedAt = row.started_at;
  if (row.finished_at !== null) task.finishedAt = row.finished_at;
  if (row.not_before !== null) task.notBefore = row.not_before;
  return task;
}

export function eventFromRow(row: Selectable<EventsTable>): DeploymentEvent {
  return defined({
    seq: Number(row.seq),
    deploymentId: row.deployment_id,
    at: row.at,
    type: row.type as DeploymentEvent['type'],
    taskId: row.task_id ?? undefined,
    state: row.state as DeploymentEvent['state'],
    reason: row.reason ?? undefined,
  });
}
