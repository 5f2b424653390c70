/** A job run by a real worker is exported as a `job <task>` span, with the job's queries as its children. */
import { createLogger, startTelemetry, type Telemetry } from "@gathering/core";
import { findUserByEmail } from "@gathering/db";
import { defineJob, enqueue } from "@gathering/jobs";
import { createTestDatabase, type OtlpReceiver, type ReceivedSpan, startOtlpReceiver, type TestDatabase } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerJob } from "./job-handler";
import { startWorker, type WorkerHandle } from "./run-worker";

const lookupJob = defineJob({ id: "test:traced-lookup", payload: z.object({ email: z.email() }), maxAttempts: 3, queueName: "lookups" });
const failingJob = defineJob({ id: "test:traced-failure", payload: z.object({}), maxAttempts: 1 });
const logger = createLogger({ level: "silent" });

let receiver: OtlpReceiver;
let database: TestDatabase;
let telemetry: Telemetry;
let worker: WorkerHandle | undefined;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  database = await createTestDatabase();
  telemetry = await startTelemetry({ serviceName: "worker-test", endpoint: receiver.endpoint, logger });
  const jobs = [
    registerJob(lookupJob, async (payload, context) => {
      await findUserByEmail(context.db, payload.email);
    }),
    registerJob(failingJob, async () => {
      throw new Error("the model provider is down");
    }),
  ];
  worker = await startWorker({ connectionString: database.url, logger, jobs, concurrency: 1, pollIntervalMs: 200 });
});
afterAll(async () => {
  await worker?.stop();
  await telemetry?.shutdown();
  await database?.drop();
  await receiver?.close();
});

/** Whether the job is finished: completed (its row is gone) or failed for good. */
async function isSettled(task: string): Promise<boolean> {
  const rows = await database.db.execute<{ last_error: string | null }>(
    sql`select last_error from graphile_worker.jobs where task_identifier = ${task}`,
  );
  return rows.every((row) => row.last_error !== null);
}

/** The span (and its trace) of a job, exported once the job has settled. */
async function spanNamed(name: string, minimumInTrace: number): Promise<{ span: ReceivedSpan; trace: ReceivedSpan[] }> {
  await expect.poll(() => isSettled(name.replace(/^job /, "")), { timeout: 10_000 }).toBe(true);
  await telemetry.flush();
  let found: { span: ReceivedSpan; trace: ReceivedSpan[] } | undefined;
  await receiver.waitForSpans((spans) => {
    const span = spans.find((candidate) => candidate.name === name);
    const trace = span ? spans.filter((candidate) => candidate.traceId === span.traceId) : [];
    found = span && trace.length >= minimumInTrace ? { span, trace } : undefined;
    return found !== undefined;
  });
  if (!found) throw new Error(`no span ${name}`);
  return found;
}

describe("job tracing", () => {
  it("exports each job as the root span of its own trace, with its queries as children", async () => {
    await enqueue(database.db, lookupJob, { email: "someone@example.com" });
    const { span: job, trace } = await spanNamed("job test:traced-lookup", 2);
    expect(job.parentSpanId).toBeUndefined();
    expect(job.kind).toBe(5);
    expect(job.status.code).toBe(0);
    expect(job.attributes).toMatchObject({
      "gathering.job.task": "test:traced-lookup",
      "gathering.job.attempt": 1,
      "gathering.job.queue": "lookups",
    });
    expect(typeof job.attributes["gathering.job.id"]).toBe("string");
    const query = trace.find((span) => span.name === "db.query");
    expect(query?.parentSpanId).toBe(job.spanId);
    expect(query?.attributes["db.statement"]).toMatch(/"users"/);
  });

  it("marks a failed job's span as an error", async () => {
    await enqueue(database.db, failingJob, {});
    const { span: job } = await spanNamed("job test:traced-failure", 1);
    expect(job.status).toEqual({ code: 2, message: "the model provider is down" });
  });
});
