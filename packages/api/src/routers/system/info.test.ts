import { recordWorkerHeartbeat } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices } from "../../test-services";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

function caller() {
  return callerFor(createTestServices(database.db), null);
}

describe("system.info", () => {
  it("reports the database and that no worker is running", async () => {
    const info = await caller().system.info();
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.database.kind).toBe("external");
    expect(info.database.versionNumber).toBeGreaterThanOrEqual(150_000);
    expect(info.workers).toEqual({ status: "none", live: 0, lastSeenAt: null });
    // This machine's PostgreSQL has no pgvector: knowledge search runs on the exact in-process index.
    expect(info.knowledge).toMatchObject({ vectorPath: "exact", extensionVersion: null });
    expect(info.knowledge.reason).toMatch(/vector extension/);
  });

  it("sees live workers from their heartbeats, at a constant number of queries", async () => {
    const heartbeat = (workerId: string) =>
      recordWorkerHeartbeat(database.db, { workerId, hostname: "test", pid: 1, version: "0.1.0", concurrency: 1, queueWorkerIds: [] });
    await heartbeat("w-1");
    database.queries.reset();
    const one = await caller().system.info();
    const queriesForOne = database.queries.count;
    expect(one.workers).toMatchObject({ status: "running", live: 1 });

    for (const id of ["w-2", "w-3", "w-4", "w-5"]) await heartbeat(id);
    database.queries.reset();
    const five = await caller().system.info();
    expect(five.workers.live).toBe(5);
    expect(database.queries.count).toBe(queriesForOne);
  });
});
