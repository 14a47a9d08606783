/**
 * `createStore(url)`: opens the database the URL names, runs pending migrations, and returns the Store.
 * `postgres://…` / `postgresql://…` (optionally `?schema=name`) → PostgreSQL; anything else → a SQLite file.
 */
import { Migrator } from 'kysely';
import { openDatabase } from './dialects.js';
import { KyselyStore } from './kysely-store.js';
import { migrationProvider } from './migrations.js';
import type { Store } from './store.js';

export async function createStore(url: string): Promise<KyselyStore & Store> {
  const { kind, db, schema } = await openDatabase(url);
  try {
    const migrator = new Migrator({
      db,
      provider: migrationProvider,
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new KyselyStore(db, kind);
}
