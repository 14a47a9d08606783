/**
 * The one `Store` implementation: Kysely over SQLite or PostgreSQL. Every method is one statement or one
 * transaction; invariants that must hold across server replicas (one active deployment per tool, lease
 * ownership, event order) are enforced by the database, not by in-process locks.
 */
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { ToolConfig } from '../model/tool-config.js';
import {
  ACTIVE_DEPLOYMENT_STATES,
  type Deployment,
  type DeploymentEvent,
  type DeploymentState,
  type DeploymentTask,
} from '../model/deployment.js';
import {
  ActiveDeploymentExistsError,
  type DeploymentPatch,
  type Store,
  type StoredConfig,
  type StoredToken,
  type TaskPatch,
} from './store.js';
import type { Database, DeploymentsTable, TasksTable } from './schema.js';
import { isUniqueViolation, type StoreKind } from './dialects.js';
import {
  DEPLOYMENT_HEAD_COLUMNS,
  configFromRow,
  deploymentFromParts,
  deploymentFromRow,
  deploymentToRow,
  snapshotFromRow,
  type DeploymentHeadRow,
  type DeploymentSnapshot,
  eventFromRow,
  taskFromRow,
  taskToRow,
  tokenFromRow,
} from './rows.js';

/** Upstream keeps the newest 25 deployments per tool. */
export const DEFAULT_RETAIN = 25;
const INSERT_CHUNK = 200;
const MAX_RACE_RETRIES = 5;
/** Parsed snapshots kept: well above the deployments the busy tools of one server read. */
const SNAPSHOT_CACHE_SIZE = 2000;

export class KyselyStore implements Store {
  readonly #db: Kysely<Database>;
  readonly kind: StoreKind;
  /**
   * A deployment's config, tool_config and plan never change after it is created, so they are read and parsed
   * once, by id: the frequent reads (latest, by id, a tool's list) select only the small columns. Correct
   * across replicas too, since nobody rewrites those columns; callers must not mutate the shared objects.
   */
  readonly #snapshots = new Map<string, DeploymentSnapshot>();

  /** See `Store.localWriteRevision`: the value of `#writes` when each tool was last written (bounded by the tools). */
  readonly #lastWrite = new Map<string, number>();
  /** The value of `#writes` when a write of an unknown tool ended: it counts as a write of every tool. */
  #everything = 0;
  #writes = 0;

  constructor(db: Kysely<Database>, kind: StoreKind) {
    this.#db = db;
    this.kind = kind;
  }

  localWriteRevision(tool: string): number {
    return Math.max(this.#lastWrite.get(tool) ?? 0, this.#everything);
  }

  /**
   * Counts a write of the tool's config, token or deployments once it has ended, also when it failed (it may have
   * been committed all the same). After the write, not before: a reader that looked at the revision before the
   * commit then sees it change, whatever its own read returned.
   */
  #touch(tool: string): void {
    this.#lastWrite.set(tool, ++this.#writes);
  }

  /**
   * Runs a write of the tool's rows and counts it (`#touch`) once it has ended, committed or failed: awaited here,
   * so that a write returning its promise cannot be counted before it commits.
   */
  async #writeOf<T>(tool: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.#touch(tool);
    }
  }

  #touchEverything(): void {
    this.#everything = ++this.#writes;
  }

  async getConfig(tool: string): Promise<StoredConfig | undefined> {
    const row = await this.#db.selectFrom('configs').selectAll().where('tool', '=', tool).executeTakeFirst();
    return row ? configFromRow(row) : undefined;
  }

  async putConfig(tool: string, raw: unknown, config: ToolConfig): Promise<StoredConfig> {
    return this.#writeOf(tool, async () => {
      const row = {
        tool,
        raw: JSON.stringify(raw ?? null),
        config: JSON.stringify(config),
        updated_at: new Date().toISOString(),
        revision: 1,
      };
      // Upsert in one statement: the revision grows on every write, also when two writers race.
      const stored = await this.#db
        .insertInto('configs')
        .values(row)
        .onConflict((oc) =>
          oc.column('tool').doUpdateSet((eb) => ({
            raw: eb.ref('excluded.raw'),
            config: eb.ref('excluded.config'),
            updated_at: eb.ref('excluded.updated_at'),
            revision: eb('configs.revision', '+', 1),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return configFromRow(stored);
    });
  }

  async deleteConfig(tool: string): Promise<StoredConfig | undefined> {
    return this.#writeOf(tool, async () => {
      const row = await this.#db
        .deleteFrom('configs')
        .where('tool', '=', tool)
        .returningAll()
        .executeTakeFirst();
      return row ? configFromRow(row) : undefined;
    });
  }

  async getToken(tool: string): Promise<StoredToken | undefined> {
    const row = await this.#db.selectFrom('tokens').selectAll().where('tool', '=', tool).executeTakeFirst();
    return row ? tokenFromRow(row) : undefined;
  }

  async putToken(token: StoredToken): Promise<void> {
    return this.#writeOf(token.tool, async () => {
      await this.#db
        .insertInto('tokens')
        .values({
          tool: token.tool,
          hash: token.hash,
          created_at: token.createdAt,
          secret: token.secret ?? null,
        })
        .onConflict((oc) =>
          oc.column('tool').doUpdateSet((eb) => ({
            hash: eb.ref('excluded.hash'),
            created_at: eb.ref('excluded.created_at'),
            secret: eb.ref('excluded.secret'),
          })),
        )
        .execute();
    });
  }

  async deleteToken(tool: string): Promise<StoredToken | undefined> {
    return this.#writeOf(tool, async () => {
      const row = await this.#db
        .deleteFrom('tokens')
        .where('tool', '=', tool)
        .returningAll()
        .executeTakeFirst();
      return row ? tokenFromRow(row) : undefined;
    });
  }

  async listTokens(): Promise<StoredToken[]> {
    const rows = await this.#db.selectFrom('tokens').selectAll().orderBy('tool', 'asc').execute();
    return rows.map(tokenFromRow);
  }

  async replaceTokenSecret(tool: string, expected: string, secret: string): Promise<boolean> {
    return this.#writeOf(tool, async () => {
      const result = await this.#db
        .updateTable('tokens')
        .set({ secret })
        .where('tool', '=', tool)
        .where('secret', '=', expected)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async listConfigs(): Promise<StoredConfig[]> {
    const rows = await this.#db.selectFrom('configs').selectAll().orderBy('tool', 'asc').execute();
    return rows.map(configFromRow);
  }

  async createDeployment(
    deployment: Deployment,
    tasks: readonly DeploymentTask[],
    retain: number = DEFAULT_RETAIN,
  ): Promise<void> {
    return this.#writeOf(deployment.tool, async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.#db.transaction().execute(async (trx) => {
            const last = await trx
              .selectFrom('deployments')
              .select((eb) => eb.fn.max('ordinal').as('ordinal'))
              .where('tool', '=', deployment.tool)
              .executeTakeFirst();
            const ordinal = Number(last?.ordinal ?? 0) + 1;
            await trx
              .insertInto('deployments')
              .values({ ...deploymentToRow(deployment), ordinal })
              .execute();
            const rows = tasks.map((task, i) => taskToRow(task, i));
            for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
              await trx
                .insertInto('tasks')
                .values(rows.slice(i, i + INSERT_CHUNK))
                .execute();
            }
            await this.#applyRetention(trx, deployment.tool, retain);
          });
          return;
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          const active = await this.#activeDeployment(deployment.tool);
          if (active)
            throw new ActiveDeploymentExistsError({
              id: active.id,
              createdAt: active.createdAt,
              state: active.state,
            });
          // The active one finished between our insert and the look-up, or the id itself collided: try again.
          if (attempt >= MAX_RACE_RETRIES) throw error;
        }
      }
    });
  }

  async #activeDeployment(tool: string): Promise<Deployment | undefined> {
    const row = await this.#db
      .selectFrom('deployments')
      .select(DEPLOYMENT_HEAD_COLUMNS)
      .where('tool', '=', tool)
      .where('state', 'in', ACTIVE_DEPLOYMENT_STATES)
      .executeTakeFirst();
    return row ? (await this.#withSnapshots([row]))[0] : undefined;
  }

  /** Head rows → deployments, reading the snapshots not cached yet (one query); vanished ones are left out. */
  async #withSnapshots(rows: readonly DeploymentHeadRow[]): Promise<Deployment[]> {
    const missing = rows.filter((r) => !this.#snapshots.has(r.id)).map((r) => r.id);
    for (let i = 0; i < missing.length; i += INSERT_CHUNK) {
      const found = await this.#db
        .selectFrom('deployments')
        .select(['id', 'tool_config', 'config', 'plan'])
        .where('id', 'in', missing.slice(i, i + INSERT_CHUNK))
        .execute();
      for (const row of found) this.#remember(row.id, snapshotFromRow(row));
    }
    const deployments: Deployment[] = [];
    for (const row of rows) {
      const snapshot = this.#snapshots.get(row.id);
      if (snapshot) deployments.push(deploymentFromParts(row, snapshot));
    }
    return deployments;
  }

  #remember(id: string, snapshot: DeploymentSnapshot): void {
    if (this.#snapshots.size >= SNAPSHOT_CACHE_SIZE) {
      this.#snapshots.delete(this.#snapshots.keys().next().value as string);
    }
    this.#snapshots.set(id, snapshot);
  }

  async #applyRetention(trx: Transaction<Database>, tool: string, retain: number): Promise<void> {
    const old = await trx
      .selectFrom('deployments')
      .select('id')
      .where('tool', '=', tool)
      .orderBy('created_at', 'desc')
      .orderBy('ordinal', 'desc')
      .orderBy('id', 'desc')
      .offset(retain)
      .limit(1_000_000)
      .execute();
    if (old.length > 0)
      await deleteDeployments(
        trx,
        old.map((r) => r.id),
      );
  }

  async getDeployment(tool: string, id: string): Promise<Deployment | undefined> {
    const row = await this.#db
      .selectFrom('deployments')
      .select(DEPLOYMENT_HEAD_COLUMNS)
      .where('tool', '=', tool)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (await this.#withSnapshots([row]))[0] : undefined;
  }

  async listDeployments(tool: string): Promise<Deployment[]> {
    const rows = await this.#db
      .selectFrom('deployments')
      .select(DEPLOYMENT_HEAD_COLUMNS)
      .where('tool', '=', tool)
      .orderBy('created_at', 'asc')
      .orderBy('ordinal', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return this.#withSnapshots(rows);
  }

  async latestDeployment(tool: string): Promise<Deployment | undefined> {
    const row = await this.#db
      .selectFrom('deployments')
      .select(DEPLOYMENT_HEAD_COLUMNS)
      .where('tool', '=', tool)
      .orderBy('created_at', 'desc')
      .orderBy('ordinal', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? (await this.#withSnapshots([row]))[0] : undefined;
  }

  async deleteDeployment(tool: string, id: string): Promise<Deployment | undefined> {
    return this.#writeOf(tool, () =>
      this.#db.transaction().execute(async (trx) => {
        const row = await trx
          .deleteFrom('deployments')
          .where('tool', '=', tool)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        await deleteDeployments(trx, [id]);
        this.#snapshots.delete(id);
        return deploymentFromRow(row);
      }),
    );
  }

  async updateDeployment(
    id: string,
    patch: DeploymentPatch,
    expected?: readonly DeploymentState[],
  ): Promise<Deployment | undefined> {
    const set: Updateable<DeploymentsTable> = {};
    if (patch.state !== undefined) set.state = patch.state;
    if ('longStatus' in patch) set.long_status = patch.longStatus ?? null;
    if ('startedAt' in patch) set.started_at = patch.startedAt ?? null;
    if ('finishedAt' in patch) set.finished_at = patch.finishedAt ?? null;
    if ('deployed' in patch)
      set.deployed = patch.deployed === undefined ? null : JSON.stringify(patch.deployed);
    if (Object.keys(set).length === 0) set.id = id; // a no-op write still answers with the row (and its CAS)
    let query = this.#db.updateTable('deployments').set(set).where('id', '=', id);
    if (expected !== undefined) {
      if (expected.length === 0) return undefined;
      query = query.where('state', 'in', expected);
    }
    const row = await query
      .returningAll()
      .executeTakeFirst()
      .catch((error: unknown) => {
        this.#touchEverything(); // whose row it was is not known here, and it may have been written
        throw error;
      });
    if (row) this.#touch(row.tool);
    return row ? deploymentFromRow(row) : undefined;
  }

  async findDeployments(states: readonly DeploymentState[]): Promise<Deployment[]> {
    if (states.length === 0) return [];
    const rows = await this.#db
      .selectFrom('deployments')
      .selectAll()
      .where('state', 'in', states)
      .orderBy('created_at', 'asc')
      .orderBy('ordinal', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(deploymentFromRow);
  }

  async expireStaleDeployments(tool: string, createdBefore: string): Promise<Deployment[]> {
    return this.#writeOf(tool, async () => {
      const rows = await this.#db
        .updateTable('deployments')
        .set({ state: 'timed_out' })
        .where('tool', '=', tool)
        .where('state', 'in', ACTIVE_DEPLOYMENT_STATES)
        .where('created_at', '<', createdBefore)
        .returningAll()
        .execute();
      return rows.map(deploymentFromRow);
    });
  }

  async countDeploymentsByState(): Promise<Partial<Record<DeploymentState, number>>> {
    const rows = await this.#db
      .selectFrom('deployments')
      .select((eb) => ['state', eb.fn.countAll().as('count')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
  }

  async listTasks(deploymentId: string): Promise<DeploymentTask[]> {
    const rows = await this.#db
      .selectFrom('tasks')
      .selectAll()
      .where('deployment_id', '=', deploymentId)
      .orderBy('position', 'asc')
      .execute();
    return rows.map(taskFromRow);
  }

  async updateTask(deploymentId: string, taskId: string, patch: TaskPatch): Promise<DeploymentTask> {
    const set = taskPatchToRow(patch);
    if (Object.keys(set).length === 0) set.id = taskId;
    const row = await this.#db
      .updateTable('tasks')
      .set(set)
      .where('deployment_id', '=', deploymentId)
      .where('id', '=', taskId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new Error(`task ${taskId} of deployment ${deploymentId} not found`);
    return taskFromRow(row);
  }

  async appendEvent(event: Omit<DeploymentEvent, 'seq'>): Promise<DeploymentEvent> {
    return this.#db.transaction().execute(async (trx) => {
      const counter = await trx
        .updateTable('deployments')
        .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
        .where('id', '=', event.deploymentId)
        .returning('event_seq')
        .executeTakeFirst();
      if (!counter) throw new Error(`deployment ${event.deploymentId} not found`);
      const row = await trx
        .insertInto('events')
        .values({
          deployment_id: event.deploymentId,
          seq: Number(counter.event_seq),
          at: event.at,
          type: event.type,
          task_id: event.taskId ?? null,
          state: event.state,
          reason: event.reason ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return eventFromRow(row);
    });
  }

  async listEvents(deploymentId: string, afterSeq = 0): Promise<DeploymentEvent[]> {
    const rows = await this.#db
      .selectFrom('events')
      .selectAll()
      .where('deployment_id', '=', deploymentId)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(eventFromRow);
  }

  async acquireLease(deploymentId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    // Compare-and-set in one statement: take it when free or expired, renew it when already ours.
    const result = await this.#db
      .insertInto('leases')
      .values({ deployment_id: deploymentId, owner, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('deployment_id')
          .doUpdateSet((eb) => ({
            owner: eb.ref('excluded.owner'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) =>
            eb.or([eb('leases.owner', '=', owner), eb('leases.expires_at', '<=', now.toISOString())]),
          ),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async releaseLease(deploymentId: string, owner: string): Promise<void> {
    await this.#db
      .deleteFrom('leases')
      .where('deployment_id', '=', deploymentId)
      .where('owner', '=', owner)
      .execute();
  }

  async managedComponents(tool: string): Promise<string[]> {
    const row = await this.#db
      .selectFrom('deployments')
      .select(DEPLOYMENT_HEAD_COLUMNS)
      .where('tool', '=', tool)
      .where('state', '=', 'successful')
      .orderBy('created_at', 'desc')
      .orderBy('ordinal', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return [];
    const [deployment] = await this.#withSnapshots([row]);
    return deployment ? deployment.config.components.map((c) => c.name) : [];
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}

async function deleteDeployments(trx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  await trx.deleteFrom('tasks').where('deployment_id', 'in', ids).execute();
  await trx.deleteFrom('events').where('deployment_id', 'in', ids).execute();
  await trx.deleteFrom('leases').where('deployment_id', 'in', ids).execute();
  await trx.deleteFrom('deployments').where('id', 'in', ids).execute();
}

function taskPatchToRow(patch: TaskPatch): Updateable<TasksTable> {
  const set: Updateable<TasksTable> = {};
  if (patch.state !== undefined) set.state = patch.state;
  if ('reason' in patch) set.reason = patch.reason ?? null;
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.waitingFor !== undefined) set.waiting_for = JSON.stringify(patch.waitingFor);
  if ('externalId' in patch) set.external_id = patch.externalId ?? null;
  if ('result' in patch) set.result = patch.result === undefined ? null : JSON.stringify(patch.result);
  if ('startedAt' in patch) set.started_at = patch.startedAt ?? null;
  if ('finishedAt' in patch) set.finished_at = patch.finishedAt ?? null;
  if ('notBefore' in patch) set.not_before = patch.notBefore ?? null;
  return set;
}
