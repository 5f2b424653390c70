import { AppError, createLogger } from "@gathering/core";
import { listLiveWorkers, schema } from "@gathering/db";
import { defineJob, enqueue } from "@gathering/jobs";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerJob } from "./job-handler";
import { startWorker, type WorkerHandle } from "./run-worker";

const recordJob = defineJob({ id: "test:record", payload: z.object({ marker: z.string().min(1) }), maxAttempts: 5 });
const lastChanceJob = defineJob({ id: "test:last-chance", payload: z.object({ marker: z.string().min(1) }), maxAttempts: 1 });
const handled: string[] = [];
const lastChance = { started: 0, shouldWaitForShutdown: true, finished: [] as string[] };
const jobs = [
  registerJob(recordJob, async (payload) => {
    handled.push(payload.marker);
  }),
  registerJob(lastChanceJob, async (payload, context) => {
    lastChance.started += 1;
    if (lastChance.shouldWaitForShutdown) {
      await new Promise((resolve) => context.signal.addEventListener("abort", resolve, { once: true }));
      throw new Error("stopped by the shutdown");
    }
    lastChance.finished.push(payload.marker);
  }),
];
const logger = createLogger({ level: "silent" });

let database: TestDatabase;
let worker: WorkerHandle | undefined;

async function queuedJobs(task: string) {
  const rows = await database.db.execute<{ attempts: number; max_attempts: number; last_error: string | null }>(
    sql`select attempts, max_attempts, last_error from graphile_worker.jobs where task_identifier = ${task}`,
  );
  return [...rows];
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await worker?.stop();
  await database.drop();
});

describe("enqueue inside a transaction", () => {
  it("leaves no job when the transaction rolls back", async () => {
    const rollback = new Error("rollback");
    await expect(
      database.db.transaction(async (tx) => {
        await enqueue(tx, recordJob, { marker: "rolled-back" });
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await queuedJobs("test:record")).toEqual([]);
  });

  it("rejects a payload that does not match the job's schema, enqueueing nothing", async () => {
    const error = await enqueue(database.db, recordJob, { marker: "" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("VALIDATION_FAILED");
    expect(await queuedJobs("test:record")).toEqual([]);
  });

  it("runs a committed job exactly once, and records the worker's heartbeat", async () => {
    await database.db.transaction(async (tx) => {
      await enqueue(tx, recordJob, { marker: "committed" });
    });
    expect(await queuedJobs("test:record")).toHaveLength(1);

    worker = await startWorker({ connectionString: database.url, logger, jobs, concurrency: 2, pollIntervalMs: 200 });
    await expect.poll(() => handled, { timeout: 10_000 }).toEqual(["committed"]);
    await expect.poll(() => queuedJobs("test:record"), { timeout: 5_000 }).toEqual([]);
    // Give a duplicate every chance to show up before asserting there is none.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(handled).toEqual(["committed"]);

    const live = await listLiveWorkers(database.db, 15);
    expect(live.map((row) => row.workerId)).toEqual([worker.workerId]);
    expect(live[0]?.queueWorkerIds.length).toBeGreaterThan(0);
  });

  it("fails a job whose stored payload is invalid permanently instead of retrying it", async () => {
    await database.db.execute(sql`select graphile_worker.add_job('test:record', '{"marker": 42}'::json, max_attempts => 5)`);
    await expect
      .poll(async () => (await queuedJobs("test:record"))[0]?.last_error ?? null, { timeout: 10_000 })
      .toMatch(/invalid payload for test:record/);
    const [job] = await queuedJobs("test:record");
    expect(job).toMatchObject({ attempts: 1, max_attempts: 1 });
    expect(handled).toEqual(["committed"]);
  });

  it("marks the worker stopped on a graceful stop", async () => {
    const current = worker;
    if (!current) throw new Error("worker not started");
    await current.stop();
    worker = undefined;
    const [row] = await database.db.select().from(schema.workerHeartbeats).where(eq(schema.workerHeartbeats.workerId, current.workerId));
    expect(row?.stoppedAt).toBeInstanceOf(Date);
    expect(await listLiveWorkers(database.db, 15)).toEqual([]);
  });
});

describe("a graceful shutdown during a job's only attempt", () => {
  it("gives the attempt back, so the next worker runs the job instead of it failing for good", async () => {
    await enqueue(database.db, lastChanceJob, { marker: "survives" });
    const stopping = await startWorker({
      connectionString: database.url,
      logger,
      jobs,
      concurrency: 1,
      pollIntervalMs: 100,
      shutdownGraceMs: 200,
    });
    await expect.poll(() => lastChance.started, { timeout: 10_000 }).toBe(1);
    await stopping.stop();
    const [job] = await queuedJobs("test:last-chance");
    expect(job).toMatchObject({ attempts: 0, max_attempts: 1 });
    expect(job?.last_error).toMatch(/stopped by the shutdown/);

    lastChance.shouldWaitForShutdown = false;
    // Graphile's retry delay after a failure is exp(attempts) seconds: about one second here.
    const next = await startWorker({ connectionString: database.url, logger, jobs, concurrency: 1, pollIntervalMs: 100 });
    try {
      await expect.poll(() => lastChance.finished, { timeout: 15_000 }).toEqual(["survives"]);
      await expect.poll(() => queuedJobs("test:last-chance"), { timeout: 5_000 }).toEqual([]);
    } finally {
      await next.stop();
    }
  });
});

describe("events retention", () => {
  it("deletes events older than the retention period and keeps the rest", async () => {
    const { insertEvent, listEventsAfter } = await import("@gathering/db");
    const { pruneEvents } = await import("./handlers/prune-events");
    const projectId = "7a1f0c1e-8d4b-4a55-9d6b-0f5a2c3e4d5a";
    const old = await insertEvent(database.db, { projectId, topic: "project.updated", payload: { name: "old" } });
    const recent = await insertEvent(database.db, { projectId, topic: "project.updated", payload: { name: "recent" } });
    await database.db.execute(sql`update events set created_at = now() - interval '40 days' where id = ${old}`);
    await pruneEvents(
      { olderThanDays: 30 },
      { db: database.db, logger, jobId: "1", attempt: 1, maxAttempts: 1, signal: new AbortController().signal },
    );
    expect((await listEventsAfter(database.db, { afterId: 0, limit: 10 })).map((event) => event.id)).toEqual([recent]);
  });
});
