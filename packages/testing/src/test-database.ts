/**
 * A fresh, migrated database for one test file, cloned from the run's template. It also counts the
 * statements sent through its client, so a test can prove that a list costs a constant number of
 * queries whatever its length.
 */
import { randomBytes } from "node:crypto";
import { createDatabaseClient, type DatabaseClient } from "@gathering/db";
import postgres from "postgres";
import { inject } from "vitest";
import { databaseUrl } from "./context";

export interface QueryCounter {
  /** Statements sent since the last reset. */
  readonly count: number;
  readonly statements: readonly string[];
  reset: () => void;
}

export interface TestDatabase extends DatabaseClient {
  url: string;
  name: string;
  queries: QueryCounter;
  /** Closes the client and drops the database. */
  drop: () => Promise<void>;
}

export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const server = inject("gatheringTestDatabase");
  const name = `${server.runPrefix}_${randomBytes(5).toString("hex")}`;
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${server.templateName}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = databaseUrl(server.adminUrl, name);
  const statements: string[] = [];
  const client = createDatabaseClient(url, { max: options.max ?? 5, onQuery: (query) => statements.push(query) });
  const queries: QueryCounter = {
    get count() {
      return statements.length;
    },
    statements,
    reset: () => {
      statements.length = 0;
    },
  };
  return {
    ...client,
    url,
    name,
    queries,
    drop: async () => {
      await client.close();
      const cleanup = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleanup.end({ timeout: 5 });
      }
    },
  };
}

/** A second, empty (unmigrated) database, for tests of the migrator itself. */
export async function createEmptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = inject("gatheringTestDatabase");
  const name = `${server.runPrefix}_empty_${randomBytes(5).toString("hex")}`;
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  return {
    url: databaseUrl(server.adminUrl, name),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
