/**
 * Versioned schema migrations, in code (no files to ship). Names sort in apply order; a migration is never
 * edited once released, only followed by a new one. Everything here is plain SQL both SQLite and PostgreSQL
 * accept, including the partial unique index that allows one active deployment per tool.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('configs')
      .addColumn('tool', 'text', (c) => c.primaryKey())
      .addColumn('raw', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('tokens')
      .addColumn('tool', 'text', (c) => c.primaryKey())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('deployments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tool', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('force_build', 'integer', (c) => c.notNull())
      .addColumn('force_run', 'integer', (c) => c.notNull())
      .addColumn('prune', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('long_status', 'text')
      .addColumn('tool_config', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('plan', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      // Last event seq handed out: bumping it is an atomic row update in both dialects, so concurrent appends
      // for one deployment never collide.
      // Insertion order within the tool: upstream breaks creation-time ties by "inserted later".
      .addColumn('ordinal', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('deployments_tool_created')
      .on('deployments')
      .columns(['tool', 'created_at'])
      .execute();
    await db.schema.createIndex('deployments_state').on('deployments').column('state').execute();
    // The database, not the application, guarantees one pending/running deployment per tool, so two server
    // replicas racing on one PostgreSQL cannot both start one.
    await sql`CREATE UNIQUE INDEX deployments_one_active ON deployments (tool) WHERE state IN ('pending', 'running')`.execute(
      db,
    );
    await db.schema
      .createTable('tasks')
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('component', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('waiting_for', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('result', 'text')
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('not_before', 'text')
      .addPrimaryKeyConstraint('tasks_pk', ['deployment_id', 'id'])
      .execute();
    await db.schema
      .createTable('events')
      .addColumn('deployment_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addPrimaryKeyConstraint('events_pk', ['deployment_id', 'seq'])
      .execute();
    await db.schema
      .createTable('leases')
      .addColumn('deployment_id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * Indexes in the order the hot reads ask for (the latest deployment of a tool, a deployment's tasks by position),
 * so neither sorts: without them every GET …/deployment/latest copied the whole row (plan, config) into a
 * temporary sort. The new tool index covers the old (tool, created_at) one, which is dropped.
 */
const orderedReads: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('deployments_tool_order')
      .on('deployments')
      .columns(['tool', 'created_at', 'ordinal', 'id'])
      .execute();
    await db.schema.dropIndex('deployments_tool_created').execute();
    await db.schema
      .createIndex('tasks_deployment_position')
      .on('tasks')
      .columns(['deployment_id', 'position'])
      .execute();
  },
};

/**
 * Deploy tokens become showable: `secret` holds the token sealed with the server's key (src/api/token-keyring.ts).
 * Rows written before keep only the sha256 the server compares with: their plain text was never stored, so
 * they are converted to hash-only tokens (secret NULL) that still authenticate but can never be shown; the
 * API says so and points to `deploy-token refresh`. Deployments remember who asked for them, so the events sent
 * when a resumed deployment ends still name that user.
 */
const showableTokens: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('tokens').addColumn('secret', 'text').execute();
    await db.schema.alterTable('deployments').addColumn('requested_by', 'text').execute();
  },
};

/** A deployment's own deadline for its waits for health (the deploy's `timeout`, issue 12); NULL = default. */
const deploymentTimeout: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('deployments').addColumn('wait_timeout_ms', 'integer').execute();
  },
};

/**
 * What each deployment deployed (commit, build, image per component, JSON): what `status` compares with and
 * what a rollback deploys again (issue 13). Older deployments keep NULL: they recorded nothing.
 */
const deployedRecord: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('deployments').addColumn('deployed', 'text').execute();
  },
};

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-ordered-reads': orderedReads,
  '0003-showable-tokens': showableTokens,
  '0004-deployment-timeout': deploymentTimeout,
  '0005-deployed-record': deployedRecord,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
};
