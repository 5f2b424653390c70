/**
 * The signal a job handler gets: aborted by the worker's shutdown (Graphile's one signal for the whole
 * pool), and its own, so what a handler derives from it with `AbortSignal.any` goes when the job does.
 * On Node 20 every `AbortSignal.any` leaves an entry in each source for as long as that source lives
 * (nodejs/node#55351); the soak (issue 12) found one per job on the pool's signal.
 */
import { getEventListeners } from "node:events";
import { createLogger, type Logger } from "@gathering/core";
import type { Database } from "@gathering/db";
import { defineJob } from "@gathering/jobs";
import type { JobHelpers, Task } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildTaskList, type JobContext, registerJob } from "./job-handler";

const logger = createLogger({ level: "silent" }) as Logger;
const waitJob = defineJob({ id: "test:wait", payload: z.object({}), maxAttempts: 3 });

/** What the task list needs of Graphile's helpers; the statements it sends are recorded. */
function helpersFor(workerSignal: AbortSignal, id: number, statements: string[]): JobHelpers {
  return {
    job: { id: String(id), task_identifier: waitJob.id, attempts: 1, max_attempts: 3 },
    abortSignal: workerSignal,
    withPgClient: async (callback: (client: { query: (text: string) => Promise<unknown> }) => Promise<unknown>) =>
      callback({
        query: async (text: string) => {
          statements.push(text);
          return { rows: [] };
        },
      }),
  } as unknown as JobHelpers;
}

function taskList(onRun: (context: JobContext) => Promise<void>): Task {
  const tasks = buildTaskList([registerJob(waitJob, (_payload, context) => onRun(context))], { db: {} as Database, logger });
  const task = tasks[waitJob.id];
  if (!task) throw new Error("no task");
  return task;
}

/** Node's own record of the signals combined from this one (internal; absent until the first any()). */
function dependantsOf(signal: AbortSignal): number {
  const symbol = Object.getOwnPropertySymbols(signal).find((candidate) => candidate.description === "kDependantSignals");
  const set = symbol ? (signal as unknown as Record<symbol, Set<unknown> | undefined>)[symbol] : undefined;
  return set?.size ?? 0;
}

describe("a job's abort signal", () => {
  it("is aborted by the worker's shutdown with its reason, and the attempt is given back", async () => {
    const worker = new AbortController();
    const statements: string[] = [];
    let seen: AbortSignal | undefined;
    const task = taskList(async (context) => {
      seen = context.signal;
      await new Promise<void>((_resolve, reject) =>
        context.signal.addEventListener("abort", () => reject(context.signal.reason), { once: true }),
      );
    });
    const running = task({}, helpersFor(worker.signal, 1, statements));
    await expect.poll(() => seen).toBeDefined();
    expect(seen?.aborted).toBe(false);
    const reason = new Error("worker shutting down");
    worker.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(seen?.aborted).toBe(true);
    expect(statements.some((text) => text.includes("attempts = greatest(attempts - 1, 0)"))).toBe(true);
  });

  it("leaves nothing on the worker's signal once each job has ended", async () => {
    const worker = new AbortController();
    const task = taskList(async (context) => {
      // What the pipeline executor and guardedFetch do with the signal they are given.
      const combined = AbortSignal.any([context.signal, AbortSignal.timeout(60_000)]);
      const onAbort = () => {};
      combined.addEventListener("abort", onAbort, { once: true });
      await Promise.resolve();
      combined.removeEventListener("abort", onAbort);
    });
    const jobs = 50;
    for (let index = 0; index < jobs; index += 1) await task({}, helpersFor(worker.signal, index, []));
    expect(getEventListeners(worker.signal, "abort")).toHaveLength(0);
    expect(dependantsOf(worker.signal)).toBe(0);
  });
});
