/**
 * The database client: postgres.js under drizzle. Every query function takes a `DbExecutor` first, so
 * the same function runs on the pool, inside a transaction, and in tests.
 */

import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgTransaction } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = PostgresJsDatabase<Schema>;
export type Transaction = PgTransaction<PostgresJsQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a query can run on: the pool or an open transaction. */
export type DbExecutor = Database | Transaction;

export interface DatabaseClient {
  db: Database;
  sql: postgres.Sql;
  close: (options?: { timeoutSeconds?: number }) => Promise<void>;
}

export interface CreateDatabaseClientOptions {
  /** Maximum pool size. */
  max?: number;
  /** Called for every statement the client sends; tests use it to count queries. */
  onQuery?: (query: string) => void;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

export function createDatabaseClient(url: string, options: CreateDatabaseClientOptions = {}): DatabaseClient {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "gathering" },
    debug: options.onQuery ? (_connection, query) => options.onQuery?.(query) : undefined,
  });
  const db = drizzle(sql, { schema, casing: "snake_case" });
  return {
    db,
    sql,
    close: async ({ timeoutSeconds = 5 } = {}) => {
      await sql.end({ timeout: timeoutSeconds });
    },
  };
}
