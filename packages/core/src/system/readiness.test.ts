import { createDatabaseClient, recordWorkerHeartbeat } from "@gathering/db";
import { createEmptyDatabase, createTestDatabase, findFreePort, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkReadiness } from "./readiness";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("readiness", () => {
  it("names the missing worker, then is ready once a worker heartbeat is fresh", async () => {
    const before = await checkReadiness(database);
    expect(before.isReady).toBe(false);
    expect(before.checks.database.isOk).toBe(true);
    expect(before.checks.migrations.isOk).toBe(true);
    expect(before.checks.worker).toEqual({ isOk: false, detail: expect.stringMatching(/no worker heartbeat/) });

    await recordWorkerHeartbeat(database.db, {
      workerId: "w",
      hostname: "h",
      pid: 1,
      version: "0.1.0",
      concurrency: 1,
      queueWorkerIds: [],
    });
    const after = await checkReadiness(database);
    expect(after).toMatchObject({ isReady: true, checks: { worker: { isOk: true, detail: "1 live" } } });
  });

  it("names missing migrations on a database that was never migrated", async () => {
    const empty = await createEmptyDatabase();
    const client = createDatabaseClient(empty.url, { max: 1 });
    try {
      const readiness = await checkReadiness(client);
      expect(readiness.isReady).toBe(false);
      expect(readiness.checks.migrations).toEqual({
        isOk: false,
        detail: expect.stringMatching(/^0 of \d+ applied; run "gathering migrate"$/),
      });
    } finally {
      await client.close();
      await empty.drop();
    }
  });

  it("names an unreachable database and skips the rest", async () => {
    const client = createDatabaseClient(`postgres://nobody@127.0.0.1:${await findFreePort()}/none`, { max: 1 });
    try {
      const readiness = await checkReadiness(client, { timeoutMs: 1_000 });
      expect(readiness.isReady).toBe(false);
      expect(readiness.checks.database.isOk).toBe(false);
      expect(readiness.checks.database.detail).toMatch(/^unreachable/);
      expect(readiness.checks.worker.detail).toBe("skipped: database unreachable");
    } finally {
      await client.close({ timeoutSeconds: 1 });
    }
  });
});
