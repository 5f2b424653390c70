/**
 * Binds job definitions to handlers and turns them into Graphile Worker tasks. Every payload is parsed
 * with its zod schema first; a payload that does not parse fails permanently instead of retrying.
 */
import { type Logger, SpanKind, withSpan } from "@gathering/core";
import type { Database } from "@gathering/db";
import type { JobDefinition, JobPayload } from "@gathering/jobs";
import type { JobHelpers, Task, TaskList } from "graphile-worker";
import { z } from "zod";

export interface JobContext {
  db: Database;
  logger: Logger;
  jobId: string;
  attempt: number;
  maxAttempts: number;
  /** Fires when the worker shuts down and running jobs should stop. */
  signal: AbortSignal;
}

export type JobHandler<TJob extends JobDefinition> = (payload: JobPayload<TJob>, context: JobContext) => Promise<void>;

export interface RegisteredJob {
  definition: JobDefinition;
  handle: (payload: unknown, context: JobContext) => Promise<void>;
}

export function registerJob<TJob extends JobDefinition>(definition: TJob, handle: JobHandler<TJob>): RegisteredJob {
  return { definition, handle: handle as RegisteredJob["handle"] };
}

async function failPermanently(helpers: JobHelpers): Promise<void> {
  // Graphile increments `attempts` when it locks a job; capping max_attempts there means the failure
  // that follows is final, and the job stays in the table with its error for inspection.
  await helpers.withPgClient((client) =>
    client.query("update graphile_worker._private_jobs set max_attempts = attempts where id = $1", [helpers.job.id]),
  );
}

/**
 * A job the worker's own shutdown interrupted did nothing wrong: Graphile counted the attempt when it
 * locked the job, so without this a shutdown during the last attempt would fail the job for good (and
 * leave, say, a circle run "running" with no job to move it on). Another worker picks it up instead.
 */
async function giveBackAttempt(helpers: JobHelpers): Promise<void> {
  await helpers.withPgClient((client) =>
    client.query("update graphile_worker._private_jobs set attempts = greatest(attempts - 1, 0) where id = $1", [helpers.job.id]),
  );
}

/**
 * The job's own signal, aborted with the worker's (Graphile's one signal for the whole pool, which
 * lives as long as the process). Handlers combine their signal with timeouts through
 * `AbortSignal.any`, and Node 20 keeps an entry for every signal so combined in each source for as
 * long as that source lives (nodejs/node#55351): on the worker's signal that is an entry per job,
 * forever. A signal per job takes those entries with it when the job is done.
 */
function jobSignal(workerSignal: AbortSignal | undefined): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  if (!workerSignal) return { signal: controller.signal, release: () => {} };
  if (workerSignal.aborted) {
    controller.abort(workerSignal.reason);
    return { signal: controller.signal, release: () => {} };
  }
  const onWorkerAbort = () => controller.abort(workerSignal.reason);
  workerSignal.addEventListener("abort", onWorkerAbort, { once: true });
  return { signal: controller.signal, release: () => workerSignal.removeEventListener("abort", onWorkerAbort) };
}

export function buildTaskList(jobs: readonly RegisteredJob[], dependencies: { db: Database; logger: Logger }): TaskList {
  const taskList: TaskList = {};
  for (const job of jobs) {
    const task: Task = (rawPayload, helpers) =>
      // Each job is the root of its own trace: its queries, model and tool calls are children of this span.
      withSpan(
        `job ${helpers.job.task_identifier}`,
        {
          "gathering.job.id": helpers.job.id,
          "gathering.job.task": helpers.job.task_identifier,
          "gathering.job.attempt": helpers.job.attempts,
          "gathering.job.max_attempts": helpers.job.max_attempts,
          ...(job.definition.queueName ? { "gathering.job.queue": job.definition.queueName } : {}),
        },
        async () => {
          const logger = dependencies.logger.child({ jobId: helpers.job.id, job: job.definition.id, attempt: helpers.job.attempts });
          const parsed = job.definition.payload.safeParse(rawPayload);
          if (!parsed.success) {
            logger.error({ issues: z.treeifyError(parsed.error) }, "job payload is invalid; failing permanently");
            await failPermanently(helpers);
            throw new Error(`invalid payload for ${job.definition.id}: ${parsed.error.message}`);
          }
          const { signal, release } = jobSignal(helpers.abortSignal);
          try {
            await job.handle(parsed.data, {
              db: dependencies.db,
              logger,
              jobId: helpers.job.id,
              attempt: helpers.job.attempts,
              maxAttempts: helpers.job.max_attempts,
              signal,
            });
          } catch (error) {
            if (signal.aborted) {
              logger.warn({ err: error }, "job stopped by the worker's shutdown; its attempt is given back");
              await giveBackAttempt(helpers);
            }
            throw error;
          } finally {
            release();
          }
        },
        { kind: SpanKind.CONSUMER },
      );
    taskList[job.definition.id] = task;
  }
  return taskList;
}
