/**
 * A worker process: Graphile Worker on its own small `pg` pool, running the registered jobs, plus a
 * heartbeat row that tells the rest of the system (readiness, the reaper) that this process is alive.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import {
  createModelGateway,
  createSmtpMailer,
  GATHERING_VERSION,
  type Keyring,
  type Logger,
  type SmtpConfig,
  type ToolServices,
} from "@gathering/core";
import { createDatabaseClient, markWorkerStopped, reapDeadWorkers, recordWorkerHeartbeat } from "@gathering/db";
import { pipelineQueue } from "@gathering/jobs";
import { Logger as GraphileLogger, type Runner, run, type WorkerEvents } from "graphile-worker";
import pg from "pg";
import { startScheduleTicker } from "./handlers/schedule-tick";
import { buildTaskList, type RegisteredJob } from "./job-handler";
import { agentJobs, knowledgeJobs, pipelineJobs, registeredJobs, scheduleJobs } from "./jobs";
import { listenForPipelineCancellations } from "./pipeline-cancellations";
import { tuneQueueAutovacuum } from "./queue-autovacuum";

export interface StartWorkerOptions {
  connectionString: string;
  logger: Logger;
  /** Jobs run at once by this process. */
  concurrency?: number;
  /** Defaults to every job in the catalog (the agent jobs only when `keyring` is given). */
  jobs?: readonly RegisteredJob[];
  /** Jobs run besides the catalog's (benchmarks' baselines). */
  extraJobs?: readonly RegisteredJob[];
  /** Decrypts the projects' provider keys for agent tasks. */
  keyring?: Keyring;
  /** What agents' tools need in this process: the data dir (workspace files), allowed private hosts. */
  toolServices?: ToolServices;
  heartbeatIntervalMs?: number;
  /** A worker silent for longer than this is dead: the reaper releases its jobs. Default 15 s. */
  leaseSeconds?: number;
  /** How often this process looks for dead workers. Default 5 s. */
  reaperIntervalMs?: number;
  /** How often to look for future-dated jobs; new jobs are picked up at once through LISTEN/NOTIFY. */
  pollIntervalMs?: number;
  /** How long a graceful stop lets running jobs finish before their AbortSignal fires. */
  shutdownGraceMs?: number;
  /** Graphile crontab lines for the system's own periodic jobs. */
  crontab?: string;
  /**
   * Longest gap between schedule ticks (default 60 s); due schedules are ticked at their time anyway.
   * 0 turns this process's ticker off (the tick and fire jobs still run when others ask for them).
   */
  scheduleTickMs?: number;
  /** Email for schedules' send_notification; without it email channels fail with a clear error. */
  smtp?: SmtpConfig;
}

export interface WorkerHandle {
  workerId: string;
  /** Finishes running jobs (or releases them after the grace period), then closes every pool. */
  stop: () => Promise<void>;
}

/** The system's own periodic jobs; `eventRetentionDays` sets how long durable events are kept. */
export function systemCrontab(options: { eventRetentionDays?: number } = {}): string {
  return [
    "0 3 * * * system:prune-worker-heartbeats ?max=3&jobKey=system:prune-worker-heartbeats",
    `30 3 * * * events:prune ?max=3&jobKey=events:prune ${JSON.stringify({ olderThanDays: options.eventRetentionDays ?? 30 })}`,
  ].join("\n");
}

function toGraphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const fields = { scope: { label: scope.label, workerId: scope.workerId, jobId: scope.jobId }, ...meta };
    if (level === "error") logger.error(fields, message);
    else if (level === "warning") logger.warn(fields, message);
    else if (level === "info") logger.debug(fields, message);
    else logger.trace(fields, message);
  });
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const concurrency = options.concurrency ?? 4;
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const logger = options.logger.child({ workerId });
  const database = createDatabaseClient(options.connectionString, { max: concurrency + 2, applicationName: "gathering-worker" });
  const pgPool = new pg.Pool({ connectionString: options.connectionString, max: concurrency + 2, application_name: "gathering-queue" });
  pgPool.on("error", (error) => logger.warn({ err: error }, "idle queue connection failed"));
  pgPool.on("connect", (client) => client.on("error", (error) => logger.warn({ err: error }, "queue connection failed")));

  // Our own emitter, passed in, so no worker:create event fires before we listen.
  const events: WorkerEvents = new EventEmitter();
  const queueWorkerIds: string[] = [];
  // Graphile 0.17 locks jobs under the pool's id; worker ids are kept too for older rows.
  events.on("pool:create", ({ workerPool }) => {
    queueWorkerIds.push(workerPool.id);
  });
  events.on("worker:create", ({ worker }) => {
    queueWorkerIds.push(worker.workerId);
  });
  const heartbeat = () =>
    recordWorkerHeartbeat(database.db, {
      workerId,
      hostname: hostname(),
      pid: process.pid,
      version: GATHERING_VERSION,
      concurrency,
      queueWorkerIds,
    });

  const cancellations = await listenForPipelineCancellations(database.sql, logger).catch(async (error: unknown) => {
    await Promise.allSettled([database.close(), pgPool.end()]);
    throw error;
  });
  const gateway = createModelGateway();
  // The worker's tools start pipelines on the same queue (run_pipeline).
  const toolServices = { pipelineQueue, ...options.toolServices };
  const scheduleTickMs = options.scheduleTickMs ?? (options.jobs ? 0 : 60_000);
  const mailer = options.smtp ? createSmtpMailer(options.smtp) : undefined;
  let runner: Runner;
  try {
    runner = await run({
      pgPool,
      concurrency,
      noHandleSignals: true,
      pollInterval: options.pollIntervalMs ?? 1_000,
      taskList: buildTaskList(
        options.jobs ?? [
          ...registeredJobs,
          ...(options.keyring ? agentJobs({ keyring: options.keyring, gateway, toolServices }) : []),
          ...pipelineJobs({
            ...(options.keyring ? { keyring: options.keyring } : {}),
            gateway,
            toolServices,
            cancellations,
            logger,
            db: database.db,
          }),
          ...scheduleJobs({
            ...(options.keyring ? { keyring: options.keyring } : {}),
            ...(options.toolServices?.allowedHosts ? { allowedHosts: options.toolServices.allowedHosts } : {}),
            ...(mailer ? { mailer } : {}),
            // A due time later than this when the tick sees it counts as missed (catch-up policy).
            graceMs: Math.max(60_000, 2 * scheduleTickMs),
          }),
          ...knowledgeJobs(options.keyring ? { keyring: options.keyring } : {}),
          ...(options.extraJobs ?? []),
        ],
        { db: database.db, logger },
      ),
      crontab: options.crontab ?? systemCrontab(),
      logger: toGraphileLogger(logger),
      events,
      gracefulShutdownAbortTimeout: options.shutdownGraceMs ?? 10_000,
    });
  } catch (error) {
    await Promise.allSettled([cancellations.close(), database.close(), pgPool.end()]);
    throw error;
  }
  // After run(): Graphile's migrations have created its tables by now.
  await tuneQueueAutovacuum(pgPool, logger);
  await heartbeat();

  // Any worker may reap; the advisory lock inside makes it one at a time.
  const leaseSeconds = options.leaseSeconds ?? 15;
  let isReaping = false;
  const reaper = setInterval(() => {
    if (isReaping) return;
    isReaping = true;
    reapDeadWorkers(database.db, leaseSeconds)
      .then((reaped) => {
        for (const worker of reaped)
          logger.warn({ deadWorkerId: worker.workerId }, "released the jobs of a worker whose heartbeat stopped");
      })
      .catch((error) => logger.warn({ err: error }, "reaper failed"))
      .finally(() => {
        isReaping = false;
      });
  }, options.reaperIntervalMs ?? 5_000);
  reaper.unref();

  let isHeartbeatRunning = false;
  const timer = setInterval(() => {
    if (isHeartbeatRunning) return;
    isHeartbeatRunning = true;
    heartbeat()
      .catch((error) => logger.warn({ err: error }, "heartbeat failed"))
      .finally(() => {
        isHeartbeatRunning = false;
      });
  }, options.heartbeatIntervalMs ?? 5_000);
  timer.unref();
  const ticker = scheduleTickMs > 0 ? startScheduleTicker({ db: database.db, periodMs: scheduleTickMs, logger }) : undefined;
  logger.info({ concurrency }, "worker started");

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(timer);
      clearInterval(reaper);
      ticker?.stop();
      await runner.stop();
      await cancellations.close();
      mailer?.close();
      await markWorkerStopped(database.db, workerId).catch((error) => logger.warn({ err: error }, "could not mark worker stopped"));
      await Promise.allSettled([database.close(), pgPool.end()]);
      logger.info("worker stopped");
    })();
    return stopping;
  };
  return { workerId, stop };
}
