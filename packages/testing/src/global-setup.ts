/**
 * Vitest global setup: one PostgreSQL for the whole run (embedded, or TEST_DATABASE_URL when set) and
 * one migrated template database that each test file clones into a fresh database of its own.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from "@gathering/db/embedded";
import { migrateDatabase } from "@gathering/jobs/migrate";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { databaseUrl } from "./context";
import { findFreePort } from "./free-port";

export default async function setup(project: TestProject) {
  const runPrefix = `gtest_${randomBytes(4).toString("hex")}`;
  const templateName = `${runPrefix}_template`;
  let embedded: EmbeddedPostgresServer | undefined;
  let directory: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;

  if (!adminUrl) {
    directory = await mkdtemp(path.join(tmpdir(), "gathering-test-pg-"));
    // mkdtemp makes the folder 0700; the server runs as the `postgres` user and must reach into it.
    await chmod(directory, 0o755);
    embedded = await startEmbeddedPostgres({
      directory: path.join(directory, "data"),
      port: await findFreePort(),
      password: randomBytes(12).toString("hex"),
      database: "postgres",
      isPersistent: false,
      // A throwaway cluster: durability costs time and buys nothing here.
      settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off", max_connections: "300" },
    });
    adminUrl = embedded.connectionString;
  }

  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${templateName}"`);
  await migrateDatabase(databaseUrl(adminUrl, templateName));

  project.provide("gatheringTestDatabase", { adminUrl, templateName, runPrefix, isEmbedded: Boolean(embedded) });

  return async () => {
    const databases = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${runPrefix}%`}`;
    for (const { datname } of databases) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end({ timeout: 5 });
    await embedded?.stop();
    if (directory) await rm(directory, { recursive: true, force: true });
  };
}
