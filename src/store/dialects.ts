/**
 * Database URL → a Kysely instance. The only place that knows which database it talks to: `postgres://` and
 * `postgresql://` URLs open a pg pool (optionally confined to one schema with `?schema=name`, used by tests and
 * by operators sharing a database), anything else is a SQLite file path (`sqlite:` prefix and `:memory:` allowed).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { CachedSqliteDialect } from './sqlite-dialect.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  /** Schema the tables live in (PostgreSQL only). */
  readonly schema?: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function storeKindOf(url: string): StoreKind {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

export async function openDatabase(url: string): Promise<OpenedDatabase> {
  return storeKindOf(url) === 'postgres' ? openPostgres(url) : openSqlite(url);
}

function sqlitePath(url: string): string {
  let path = url.replace(/^sqlite:/i, '');
  if (path.startsWith('//')) path = path.slice(2);
  return path === ':memory:' || path === '' ? ':memory:' : resolve(path);
}

function openSqlite(url: string): OpenedDatabase {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  // WAL lets readers (another CLI, a second server) work while the server writes; the busy timeout turns a
  // momentary lock into a short wait instead of SQLITE_BUSY.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  return { kind: 'sqlite', db: new Kysely<Database>({ dialect: new CachedSqliteDialect(database) }) };
}

async function openPostgres(url: string): Promise<OpenedDatabase> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? parsed.searchParams.get('search_path') ?? undefined;
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('search_path');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  }
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (schema) {
    // Two processes starting on a fresh schema race here; PostgreSQL reports the loser as a unique violation.
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db).catch((error: unknown) => {
      if (!isUniqueViolation(error)) throw error;
    });
  }
  return { kind: 'postgres', db, ...(schema ? { schema } : {}) };
}

/** A unique/primary-key violation, in either dialect's words. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
