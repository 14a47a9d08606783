/**
 * Test stores: `STORES` (env, default `sqlite,postgres`) lists the kinds every store/API suite runs against.
 * Each call makes a fresh, isolated database: a SQLite file in a temp dir, or a PostgreSQL schema of its own
 * in database `test` on 127.0.0.1 (user `postgres`, falling back to `root`). `dispose` removes it again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';
import { createStore } from '../../src/store/create-store.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';

export type StoreKindName = 'sqlite' | 'postgres';

export const STORES: readonly StoreKindName[] = (process.env.STORES ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is StoreKindName => s === 'sqlite' || s === 'postgres');

export interface TestDatabase {
  readonly kind: StoreKindName;
  /** URL to open more stores (or a second server process) on the same database. */
  readonly url: string;
  dispose(): Promise<void>;
}

let pgUser: string | undefined;

async function postgresUser(): Promise<string> {
  if (pgUser) return pgUser;
  for (const user of ['postgres', 'root']) {
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'test', user });
    try {
      await client.connect();
      await client.end();
      pgUser = user;
      return user;
    } catch {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) accepts neither user postgres nor root');
}

export async function createTestDatabase(kind: StoreKindName): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tfc-store-'));
    return {
      kind,
      url: join(dir, 'components.db'),
      dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const user = await postgresUser();
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const base = `postgres://${user}@127.0.0.1:5432/test`;
  return {
    kind,
    url: `${base}?schema=${schema}`,
    async dispose() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A store on a fresh test database; `dispose` closes it and drops the database. */
export async function openTestStore(kind: StoreKindName): Promise<{
  store: KyselyStore;
  database: TestDatabase;
  dispose(): Promise<void>;
}> {
  const database = await createTestDatabase(kind);
  const store = await createStore(database.url);
  return {
    store,
    database,
    async dispose() {
      await store.close().catch(() => undefined);
      await database.dispose();
    },
  };
}

/**
 * One store for a whole test file: opened before its tests, handed to `onOpen`, disposed after them.
 * `let store: KyselyStore; useTestStore('sqlite', (s) => (store = s));`
 */
export function useTestStore(kind: StoreKindName, onOpen: (store: KyselyStore) => void): void {
  let dispose: (() => Promise<void>) | undefined;
  before(async () => {
    const opened = await openTestStore(kind);
    dispose = opened.dispose;
    onOpen(opened.store);
  });
  after(async () => {
    await dispose?.();
  });
}
