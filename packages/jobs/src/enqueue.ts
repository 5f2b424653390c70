/**
 * Enqueues a job inside the caller's transaction with `graphile_worker.add_job`, so the job exists if
 * and only if the transaction that asked for it commits.
 */
import { AppError } from "@gathering/core";
import type { DbExecutor } from "@gathering/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { JobDefinition, JobPayloadInput } from "./define-job";

export interface EnqueueOptions {
  /** Deduplicates: a second job with the same key replaces (or, with `preserve_run_at`, keeps) the first. */
  jobKey?: string;
  jobKeyMode?: "replace" | "preserve_run_at" | "unsafe_dedupe";
  runAt?: Date;
}

export async function enqueue<TJob extends JobDefinition>(
  db: DbExecutor,
  job: TJob,
  payload: JobPayloadInput<TJob>,
  options: EnqueueOptions = {},
): Promise<{ jobId: string }> {
  const parsed = job.payload.safeParse(payload);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", `invalid payload for job ${job.id}`, { issues: z.treeifyError(parsed.error) });
  }
  const rows = await db.execute<{ id: string }>(sql`
    select (graphile_worker.add_job(
      identifier => ${job.id},
      payload => ${JSON.stringify(parsed.data)}::json,
      queue_name => ${job.queueName ?? null},
      run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
      max_attempts => ${job.maxAttempts},
      job_key => ${options.jobKey ?? null},
      priority => ${job.priority ?? null},
      job_key_mode => ${options.jobKeyMode ?? "replace"}
    )).id::text as id`);
  const id = rows[0]?.id;
  if (!id) throw new AppError("INTERNAL", `graphile_worker.add_job returned no job for ${job.id}`);
  return { jobId: id };
}
