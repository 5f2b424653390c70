/**
 * Queue throughput after a million processed jobs, against a fresh database: dead job rows must not
 * slow the queue. One worker (as `gathering worker` starts it, so with the job table's autovacuum
 * tuning) runs a no-op job. Measured: `measureJobs` jobs added in one statement, from the add until
 * the last one ran (median of three batches), on the fresh database; then `processJobs` jobs churned through in batches; then
 * the same measurement again. Reported with the table's dead tuples and autovacuum count.
 */
import { performance } from "node:perf_hooks";
import { createLogger, type Logger } from "@gathering/core";
import type { Database } from "@gathering/db";
import { defineJob } from "@gathering/jobs";
import { registerJob, startWorker } from "@gathering/worker";
import { sql } from "drizzle-orm";
import { z } from "zod";

const noopJob = defineJob({ id: "proof:noop", payload: z.object({ batch: z.number().int() }), maxAttempts: 1 });

export interface ThroughputSample {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  deadTuples: number;
  liveTuples: number;
  autovacuums: number;
  tableBytes: number;
}

export interface DeadRowsResult {
  measureJobs: number;
  processedJobs: number;
  batchSize: number;
  concurrency: number;
  fresh: ThroughputSample;
  aged: ThroughputSample;
  /** aged / fresh jobs per second. */
  ratio: number;
  churnSeconds: number;
  isTuned: boolean;
}

export async function runDeadRows(options: {
  databaseUrl: string;
  db: Database;
  measureJobs: number;
  processJobs: number;
  batchSize: number;
  concurrency: number;
  log: (message: string) => void;
}): Promise<DeadRowsResult> {
  const { db } = options;
  const counts = new Map<number, number>();
  const worker = await startWorker({
    connectionString: options.databaseUrl,
    logger: createLogger({ level: "silent" }) as Logger,
    concurrency: options.concurrency,
    pollIntervalMs: 1_000,
    jobs: [
      registerJob(noopJob, async (payload) => {
        counts.set(payload.batch, (counts.get(payload.batch) ?? 0) + 1);
      }),
    ],
  });
  let batch = 0;
  const runBatch = async (size: number) => {
    batch += 1;
    const id = batch;
    await db.execute(sql`
      select count(*) from graphile_worker.add_jobs(array(
        select json_populate_record(null::graphile_worker.job_spec, json_build_object('identifier', ${noopJob.id}::text, 'payload', json_build_object('batch', ${id}::int), 'max_attempts', 1))
        from generate_series(1, ${size}::int)))`);
    while ((counts.get(id) ?? 0) < size) await new Promise((resolve) => setTimeout(resolve, 20));
    counts.delete(id);
  };
  const tableStats = async () => {
    const [row] = await db.execute<{ dead: number; live: number; autovacuums: number; bytes: number }>(sql`
      select n_dead_tup::int as dead, n_live_tup::int as live, autovacuum_count::int as autovacuums,
             pg_total_relation_size('graphile_worker._private_jobs')::bigint::float8 as bytes
      from pg_stat_user_tables where schemaname = 'graphile_worker' and relname = '_private_jobs'`);
    return { deadTuples: row?.dead ?? 0, liveTuples: row?.live ?? 0, autovacuums: row?.autovacuums ?? 0, tableBytes: row?.bytes ?? 0 };
  };
  // Three timed batches, the median kept: one batch on a shared machine can land on a neighbour's burst.
  const measure = async (): Promise<ThroughputSample> => {
    const stats = await tableStats();
    const durations: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const started = performance.now();
      await runBatch(options.measureJobs);
      durations.push((performance.now() - started) / 1000);
    }
    const seconds = [...durations].sort((a, b) => a - b)[1] as number;
    return {
      jobs: options.measureJobs,
      seconds: Math.round(seconds * 100) / 100,
      jobsPerSecond: Math.round(options.measureJobs / seconds),
      ...stats,
    };
  };
  try {
    const [options_] = await db.execute<{ reloptions: string[] | null }>(
      sql`select reloptions from pg_class where oid = 'graphile_worker._private_jobs'::regclass`,
    );
    const isTuned = (options_?.reloptions ?? []).includes("autovacuum_vacuum_scale_factor=0");
    await runBatch(2_000);
    const fresh = await measure();
    options.log(`fresh: ${fresh.jobsPerSecond} jobs/s (${fresh.jobs} jobs in ${fresh.seconds} s)`);
    const churnStarted = performance.now();
    let processed = 0;
    let lastNotice = performance.now();
    while (processed < options.processJobs) {
      const size = Math.min(options.batchSize, options.processJobs - processed);
      await runBatch(size);
      processed += size;
      if (performance.now() - lastNotice > 15_000) {
        lastNotice = performance.now();
        const stats = await tableStats();
        options.log(
          `${processed} jobs processed (${Math.round(processed / ((performance.now() - churnStarted) / 1000))} jobs/s); dead tuples ${stats.deadTuples}, autovacuums ${stats.autovacuums}`,
        );
      }
    }
    const churnSeconds = Math.round((performance.now() - churnStarted) / 1000);
    const aged = await measure();
    options.log(`after ${processed} jobs: ${aged.jobsPerSecond} jobs/s (${aged.jobs} jobs in ${aged.seconds} s)`);
    return {
      measureJobs: options.measureJobs,
      processedJobs: processed,
      batchSize: options.batchSize,
      concurrency: options.concurrency,
      fresh,
      aged,
      ratio: Math.round((aged.jobsPerSecond / fresh.jobsPerSecond) * 1000) / 1000,
      churnSeconds,
      isTuned,
    };
  } finally {
    await worker.stop();
  }
}
