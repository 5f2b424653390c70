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
  /** The raw postgres.js client (LISTEN, locks); its queries are not observed, drizzle's are. */
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

/**
 * Watches the statements drizzle sends, for tracing. The database package stays free of OpenTelemetry:
 * core's telemetry installs an observer when it starts exporting spans, and removes it when it stops.
 */
export interface QueryObserver {
  /** Called as a statement is handed to the driver, in the caller's async context; the result ends it. */
  startQuery(statement: string): (error?: unknown) => void;
  /** Runs a whole transaction (its body included) in a context of its own, e.g. under a span. */
  inTransaction<T>(run: () => Promise<T>): Promise<T>;
}

/** On globalThis, so that every copy of this module in the process (Next.js bundles its own) sees it. */
const observationKey: unique symbol = Symbol.for("gathering.db.queryObserver");
const processGlobals = globalThis as { [observationKey]?: { observer: QueryObserver | undefined } };
processGlobals[observationKey] ??= { observer: undefined };
const observation = processGlobals[observationKey];

/** Installs (or, with undefined, removes) the observer of every client's drizzle queries in this process. */
export function setQueryObserver(observer: QueryObserver | undefined): void {
  observation.observer = observer;
}

type UnsafeQuery = ReturnType<postgres.Sql["unsafe"]>;

/**
 * postgres.js has no hooks around a query's execution, so drizzle gets a proxy of the client whose
 * `unsafe` (the one method drizzle runs statements with) reports each statement's start and outcome, and
 * whose `begin`/`savepoint` hand the transaction body a proxied client too. With no observer installed the
 * proxy adds well under a microsecond to a query (measured about 0.1 µs).
 */
function observedClient<TClient extends postgres.Sql | postgres.TransactionSql>(client: TClient): TClient {
  const unsafe = (...args: Parameters<postgres.Sql["unsafe"]>): UnsafeQuery => {
    const observer = observation.observer;
    const query = client.unsafe(...args);
    if (!observer) return query;
    const end = observer.startQuery(args[0]);
    // Subscribing starts execution, but only after a tick (postgres.js defers it), so modifiers such as
    // `.values()` that drizzle chains on synchronously still apply.
    query.then(
      () => end(),
      (error: unknown) => end(error),
    );
    return query;
  };
  const wrapBody =
    (body: (sql: postgres.TransactionSql) => unknown) =>
    (transactionClient: postgres.TransactionSql): unknown =>
      body(observedClient(transactionClient));
  const begin = (...args: unknown[]): Promise<unknown> => {
    const body = args.at(-1) as (sql: postgres.TransactionSql) => unknown;
    const options = args.length > 1 ? (args[0] as string) : "";
    const run = () => (client as postgres.Sql).begin(options, wrapBody(body));
    const observer = observation.observer;
    return observer ? observer.inTransaction(run) : run();
  };
  const savepoint = (...args: unknown[]): Promise<unknown> => {
    const body = args.at(-1) as (sql: postgres.TransactionSql) => unknown;
    const transaction = client as postgres.TransactionSql;
    return args.length > 1 ? transaction.savepoint(args[0] as string, wrapBody(body)) : transaction.savepoint(wrapBody(body));
  };
  return new Proxy(client, {
    get: (target, property) => {
      switch (property) {
        case "unsafe":
          return unsafe;
        case "begin":
          return begin;
        case "savepoint":
          return savepoint;
        default:
          return Reflect.get(target, property, target);
      }
    },
  });
}

export function createDatabaseClient(url: string, options: CreateDatabaseClientOptions = {}): DatabaseClient {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "gathering" },
    debug: options.onQuery ? (_connection, query) => options.onQuery?.(query) : undefined,
  });
  const db = drizzle(observedClient(sql), { schema, casing: "snake_case" });
  return {
    db,
    sql,
    close: async ({ timeoutSeconds = 5 } = {}) => {
      await sql.end({ timeout: timeoutSeconds });
    },
  };
}
