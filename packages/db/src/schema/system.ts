/**
 * Tables that describe the installation itself: its identity and settings, and the liveness of the
 * worker processes that serve it.
 */
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns";

/** Key/value settings of the whole installation (its id, first start time, ...). */
export const instanceSettings = pgTable("instance_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * One row per running worker process. The process refreshes `lastSeenAt` every few seconds; a worker
 * whose heartbeat is older than its lease is considered dead and its jobs are released by the reaper.
 */
export const workerHeartbeats = pgTable(
  "worker_heartbeats",
  {
    workerId: text("worker_id").primaryKey(),
    hostname: text("hostname").notNull(),
    pid: integer("pid").notNull(),
    version: text("version").notNull(),
    concurrency: integer("concurrency").notNull(),
    /** Graphile Worker ids of this process's workers: what the reaper passes to force_unlock_workers. */
    queueWorkerIds: text("queue_worker_ids").array().notNull().default(sql`'{}'::text[]`),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    stoppedAt: timestamp("stopped_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [index("worker_heartbeats_last_seen_at_idx").on(table.lastSeenAt)],
);
