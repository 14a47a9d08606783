/**
 * The database tables as Kysely sees them. Both dialects store the same column types: text for JSON and ISO
 * times (ISO 8601 in UTC compares correctly as text), integers 0/1 for booleans, so no caller asks which
 * database it is on.
 */
import type { Generated } from 'kysely';

export interface ConfigsTable {
  tool: string;
  raw: string;
  config: string;
  updated_at: string;
  revision: number;
}

export interface TokensTable {
  tool: string;
  hash: string;
  created_at: string;
  /** The token sealed with the server's token key (AES-256-GCM); NULL for tokens stored before 0003. */
  secret: string | null;
}

export interface DeploymentsTable {
  id: string;
  tool: string;
  created_at: string;
  description: string;
  force_build: number;
  force_run: number;
  prune: number;
  state: string;
  long_status: string | null;
  tool_config: string;
  config: string;
  plan: string;
  started_at: string | null;
  finished_at: string | null;
  /** Who asked for it (the gateway's `x-toolforge-user`), for the deployment events sent when it ends. */
  requested_by: string | null;
  /** The deploy's `timeout` (ms): deadline of each wait for health in this deployment; NULL = the default. */
  wait_timeout_ms: number | null;
  /** What it deployed (JSON `DeployedRecord`: commit, build and image per component); NULL before 0005. */
  deployed: string | null;
  ordinal: Generated<number>;
  event_seq: Generated<number>;
}

export interface TasksTable {
  deployment_id: string;
  id: string;
  position: number;
  kind: string;
  component: string;
  state: string;
  reason: string | null;
  attempts: number;
  waiting_for: string;
  external_id: string | null;
  result: string | null;
  started_at: string | null;
  finished_at: string | null;
  not_before: string | null;
}

export interface EventsTable {
  deployment_id: string;
  seq: number;
  at: string;
  type: string;
  task_id: string | null;
  state: string;
  reason: string | null;
}

export interface LeasesTable {
  deployment_id: string;
  owner: string;
  expires_at: string;
}

export interface Database {
  configs: ConfigsTable;
  tokens: TokensTable;
  deployments: DeploymentsTable;
  tasks: TasksTable;
  events: EventsTable;
  leases: LeasesTable;
}
