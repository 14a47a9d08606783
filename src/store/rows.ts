/**
 * Row ⇄ domain record conversions. JSON columns are text in both dialects; booleans are 0/1; absent optional
 * fields are NULL and come back as absent (not `null`), so records read back equal what was written.
 */
import type { Insertable, Selectable } from 'kysely';
import type { ToolConfig } from '../config/tool-config.js';
import type {
  Deployment,
  DeploymentEvent,
  DeploymentState,
  DeploymentTask,
  TaskState,
} from '../execute/deployment.js';
import type { Plan } from '../plan/plan.js';
import type { StoredConfig, StoredToken } from './store.js';
import type { ConfigsTable, DeploymentsTable, EventsTable, TasksTable, TokensTable } from './schema.js';

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
  return { tool: row.tool, hash: row.hash, createdAt: row.created_at };
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
  };
}

export function deploymentFromRow(row: Selectable<DeploymentsTable>): Deployment {
  return defined({
    id: row.id,
    tool: row.tool,
    createdAt: row.created_at,
    description: row.description,
    forceBuild: Number(row.force_build) === 1,
    forceRun: Number(row.force_run) === 1,
    prune: Number(row.prune) === 1,
    state: row.state as DeploymentState,
    longStatus: row.long_status ?? undefined,
    toolConfig: parseJson<unknown>(row.tool_config),
    config: parseJson<ToolConfig>(row.config),
    plan: parseJson<Plan>(row.plan),
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  });
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
  return defined({
    deploymentId: row.deployment_id,
    id: row.id,
    kind: row.kind as DeploymentTask['kind'],
    component: row.component,
    state: row.state as TaskState,
    reason: row.reason ?? undefined,
    attempts: Number(row.attempts),
    waitingFor: parseJson<string[]>(row.waiting_for),
    externalId: row.external_id ?? undefined,
    result: row.result === null ? undefined : parseJson<Record<string, unknown>>(row.result),
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    notBefore: row.not_before ?? undefined,
  });
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
