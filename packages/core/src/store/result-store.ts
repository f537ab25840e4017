import { existsSync } from 'node:fs';
import { WildtlsError } from '../errors.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { StoreQuery } from './store-query.js';
import { loadDuckDb, type DuckDbConnection, type DuckDbInstance } from './duckdb-module.js';
import { openError, queryError } from './store-errors.js';
import { plainRow } from './plain-value.js';
import { duckValue } from './duck-value.js';
import { CREATE_TABLES, STORE_FORMAT, STORE_SCHEMA_VERSION } from './store-schema.js';
import { streamStoreRecords } from './store-records.js';

export interface OpenStoreOptions {
  /** Create the store when the file does not exist (default: it must exist). */
  create?: boolean;
  /** Open read-only (other readers may open it too; no writer may). */
  readOnly?: boolean;
  /** Written to wildtls_meta.created_by when the store is created (default "wildtls"). */
  createdBy?: string;
}

/** An open result store: the StoreQuery an analysis sees, plus what the writer and the commands need. */
export interface ResultStore extends StoreQuery {
  readonly path: string;
  /** Number of records (the next record's seq). */
  count(): Promise<number>;
  /** Run `fn` alone on the store's connection (nothing else runs on it meanwhile). */
  exclusive<T>(fn: (conn: DuckDbConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The store's DuckDB buffer limit by default: bounded (DuckDB's own default is 80% of RAM); big aggregates spill to <store>.tmp beyond it. */
export const DEFAULT_STORE_MEMORY_LIMIT = '2GB';

/** DuckDB's memory_limit for stores: WILDTLS_STORE_MEMORY_LIMIT (e.g. 512MB, 8GB) or the default. */
function storeMemoryLimit(): string {
  const env = process.env.WILDTLS_STORE_MEMORY_LIMIT?.trim();
  if (!env) return DEFAULT_STORE_MEMORY_LIMIT;
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(env)) throw new WildtlsError('WILDTLS_ERR_USAGE', `WILDTLS_STORE_MEMORY_LIMIT=${env}: give a size such as 512MB or 4GB`);
  return env;
}

/**
 * Open (or create) a DuckDB result store. A file that is not a DuckDB
 * database, a DuckDB file that is not a wildtls store, a store of a newer
 * schema and a store another process holds are each a WildtlsError naming the file.
 */
export async function openStore(path: string, options: OpenStoreOptions = {}): Promise<ResultStore> {
  const exists = existsSync(path);
  if (!exists && !options.create) throw new WildtlsError('WILDTLS_ERR_RESULTS_NOT_FOUND', `result store not found: ${path}`);
  const { DuckDBInstance } = await loadDuckDb();
  let instance: DuckDbInstance;
  try {
    instance = await DuckDBInstance.create(path, { ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}), memory_limit: storeMemoryLimit() });
  } catch (err) {
    throw openError(path, err);
  }
  const store = new DuckDbResultStore(path, instance, await instance.connect());
  try {
    if (!exists) await store.initialize(options.createdBy ?? 'wildtls');
    else await store.checkMeta();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

class DuckDbResultStore implements ResultStore {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(readonly path: string, private readonly instance: DuckDbInstance, private readonly conn: DuckDbConnection) {}

  exclusive<T>(fn: (conn: DuckDbConnection) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new WildtlsError('WILDTLS_ERR_USAGE', `result store ${this.path} is closed`));
    const run = this.queue.then(() => fn(this.conn)).catch((err: unknown) => {
      throw queryError(this.path, err);
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async initialize(createdBy: string): Promise<void> {
    await this.exclusive(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      for (const sql of CREATE_TABLES) await conn.run(sql);
      await conn.run(`INSERT INTO wildtls_meta VALUES ('format', $1), ('schema_version', $2), ('created_by', $3)`, [STORE_FORMAT, String(STORE_SCHEMA_VERSION), createdBy]);
      await conn.run('COMMIT');
    });
  }

  async checkMeta(): Promise<void> {
    const tables = await this.all<{ n: number }>(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'wildtls_meta' AND schema_name = 'main'`);
    if (!tables[0]?.n) throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `${this.path} is a DuckDB database but not a wildtls result store (no wildtls_meta table)`);
    const meta = new Map((await this.all<{ key: string; value: string }>('SELECT key, value FROM wildtls_meta')).map((r) => [r.key, r.value]));
    if (meta.get('format') !== STORE_FORMAT) throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `${this.path} is not a wildtls result store (format ${JSON.stringify(meta.get('format') ?? null)}, expected "${STORE_FORMAT}")`);
    const version = Number(meta.get('schema_version'));
    if (!Number.isInteger(version) || version < 1) throw new WildtlsError('WILDTLS_ERR_RESULTS_CORRUPT', `${this.path}: bad schema_version ${JSON.stringify(meta.get('schema_version') ?? null)}`);
    if (version > STORE_SCHEMA_VERSION) {
      throw new WildtlsError('WILDTLS_ERR_RESULTS_VERSION', `${this.path} is a result store of schema version ${version}, newer than this wildtls reads (${STORE_SCHEMA_VERSION}): upgrade wildtls`);
    }
  }

  all<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.exclusive(async (conn) => {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJS().map((r) => plainRow<T>(r as Record<string, unknown>));
    });
  }

  /** Streamed on a connection of its own, so the caller may run other queries meanwhile. */
  async *rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): AsyncIterable<T> {
    const conn = await this.instance.connect();
    try {
      const result = await conn.stream(sql, params as never);
      for await (const chunk of result.yieldRowObjectJs()) {
        for (const row of chunk) yield plainRow<T>(row as Record<string, unknown>);
      }
    } catch (err) {
      throw queryError(this.path, err);
    } finally {
      conn.closeSync();
    }
  }

  async run(sql: string, params: unknown[] = []): Promise<void> {
    await this.exclusive((conn) => conn.run(sql, params as never));
  }

  async append(table: string, rows: readonly unknown[][]): Promise<void> {
    const duck = await loadDuckDb();
    await this.exclusive(async (conn) => {
      const appender = await conn.createAppender(table);
      try {
        const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
        for (const row of rows) {
          for (let i = 0; i < types.length; i++) {
            const v = duckValue(duck, row[i], types[i]!);
            if (v === null) appender.appendNull();
            else appender.appendValue(v as never, types[i]);
          }
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    });
  }

  async *records(where?: string): AsyncIterable<ProbeRecord> {
    const conn = await this.instance.connect();
    const lookup = await this.instance.connect();
    try {
      yield* streamStoreRecords(conn, lookup, where);
    } catch (err) {
      throw queryError(this.path, err);
    } finally {
      conn.closeSync();
      lookup.closeSync();
    }
  }

  async count(): Promise<number> {
    const [row] = await this.all<{ n: number }>('SELECT count(*) AS n FROM records');
    return row!.n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
