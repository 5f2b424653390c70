/** A worker tunes autovacuum of Graphile's job table when it starts, once, and a second start changes nothing. */
import { createLogger, type Logger } from "@gathering/core";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queueAutovacuumSettings } from "./queue-autovacuum";
import { startWorker } from "./run-worker";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const reloptions = async () =>
  (
    await database.db.execute<{ reloptions: string[] | null }>(
      sql`select reloptions from pg_class where oid = 'graphile_worker._private_jobs'::regclass`,
    )
  )[0]?.reloptions ?? [];

it("sets the job table's autovacuum options at start, idempotently", async () => {
  expect(await reloptions()).not.toContain("autovacuum_vacuum_scale_factor=0");
  const logger = createLogger({ level: "silent" }) as Logger;
  const first = await startWorker({ connectionString: database.url, logger, jobs: [], concurrency: 1 });
  await first.stop();
  const expected = Object.entries(queueAutovacuumSettings).map(([name, value]) => `${name}=${value}`);
  expect([...(await reloptions())].sort()).toEqual([...expected].sort());
  const second = await startWorker({ connectionString: database.url, logger, jobs: [], concurrency: 1 });
  await second.stop();
  expect([...(await reloptions())].sort()).toEqual([...expected].sort());
});
