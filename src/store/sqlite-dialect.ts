/**
 * Kysely's SQLite dialect, with two changes that matter under concurrent HTTP load:
 * - the one connection is handed out in FIFO order through a queue. Kysely's own mutex wakes every waiter on
 *   each release (they all re-check and all but one wait again), which with 50 requests in flight costs
 *   O(waiters) per query and lets newcomers overtake: throughput collapsed and p99 reached seconds;
 * - prepared statements are cached by SQL text. better-sqlite3 otherwise compiles every statement anew,
 *   which costs more than running the small queries the store makes.
 * better-sqlite3 is synchronous, so a query never yields while it holds the connection; only transactions
 * (which span awaits) make other queries wait.
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

/** Distinct statements kept prepared; the store issues a few dozen, `IN (…)` lists add variants. */
const STATEMENT_CACHE_SIZE = 256;

class StatementCache {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  get(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        this.#statements.delete(this.#statements.keys().next().value as string);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

class CachedSqliteConnection implements DatabaseConnection {
  readonly #statements: StatementCache;

  constructor(db: BetterSqlite3.Database) {
    this.#statements = new StatementCache(db);
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#statements.get(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    const { changes, lastInsertRowid } = statement.run(parameters);
    return Promise.resolve({
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    });
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const statement = this.#statements.get(compiledQuery.sql);
    if (!statement.reader) throw new Error('SQLite streams only queries that return rows');
    // A statement being iterated cannot run again until it is done: stream from a private one.
    const own = statement.database.prepare(compiledQuery.sql);
    for (const row of own.iterate(compiledQuery.parameters as unknown[])) yield { rows: [row as R] };
  }
}

/** FIFO hand-over of the single connection: one waiter woken per release. */
class ConnectionQueue {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

class CachedSqliteDriver implements Driver {
  readonly #database: BetterSqlite3.Database;
  readonly #connection: CachedSqliteConnection;
  readonly #queue = new ConnectionQueue();

  constructor(database: BetterSqlite3.Database) {
    this.#database = database;
    this.#connection = new CachedSqliteConnection(database);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#queue.acquire();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    this.#queue.release();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteIdentifier(name)}`));
  }

  async destroy(): Promise<void> {
    this.#database.close();
  }
}

/** `new Kysely({ dialect: new CachedSqliteDialect(database) })`: SQLite through better-sqlite3. */
export class CachedSqliteDialect implements Dialect {
  readonly #database: BetterSqlite3.Database;

  constructor(database: BetterSqlite3.Database) {
    this.#database = database;
  }

  createDriver(): Driver {
    return new CachedSqliteDriver(this.#database);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
