/**
 * Schedules: a cron expression in an IANA time zone with one action, and the fires it produced. The
 * `schedules:tick` claims due rows with FOR UPDATE SKIP LOCKED, inserts one fire per (schedule, fire
 * time) and advances `next_fire_at` in the same transaction, so the unique key on fires is the last
 * guard against a tick taking effect twice; the fire row is also the action's idempotency key.
 */
import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const schedules = pgTable(
  "schedules",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    /** A 5-field cron expression (minute hour day-of-month month day-of-week). */
    cron: text("cron").notNull(),
    /** IANA time zone the expression is read in, e.g. "Europe/Berlin". */
    timezone: text("timezone").notNull().default("UTC"),
    /** The validated action: { kind: "run_task" | "execute_pipeline" | "send_notification" | "call_api", ... }. */
    action: jsonb("action").notNull(),
    /** skip | allow | queue_one: what a fire does while an earlier fire of the schedule still runs. */
    overlapPolicy: text("overlap_policy").notNull().default("skip"),
    /** skip | latest | all: what happens to fire times missed while nothing was running. */
    catchUpPolicy: text("catch_up_policy").notNull().default("skip"),
    /** With catch-up "all": at most this many missed fires, the most recent ones. */
    catchUpLimit: integer("catch_up_limit").notNull().default(10),
    /** The next fire time; null when the expression has no future time. */
    nextFireAt: timestamp("next_fire_at", { withTimezone: true, mode: "date" }),
    isPaused: boolean("is_paused").notNull().default(false),
    /** HMAC-SHA256 key for webhook notifications, encrypted with the row id as associated data. */
    secretKeyId: text("secret_key_id"),
    secretCiphertext: text("secret_ciphertext"),
    lastFireAt: timestamp("last_fire_at", { withTimezone: true, mode: "date" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("schedules_project_id_idx").on(table.projectId, table.createdAt),
    index("schedules_due_idx").on(table.nextFireAt).where(sql`not ${table.isPaused} and ${table.nextFireAt} is not null`),
  ],
);

export const scheduleFires = pgTable(
  "schedule_fires",
  {
    id: id(),
    scheduleId: uuid("schedule_id")
      .notNull()
      .references(() => schedules.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** The fire time from the cron math (or the request time for a manual run). */
    fireAt: timestamp("fire_at", { withTimezone: true, mode: "date" }).notNull(),
    /** cron | catch_up | manual */
    trigger: text("trigger").notNull().default("cron"),
    /** waiting | queued | running | succeeded | failed | skipped */
    status: text("status").notNull().default("queued"),
    /** The action as it was when the fire was claimed. */
    action: jsonb("action").notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** What the action produced: response status and capped body, channels delivered, ids. */
    result: jsonb("result").notNull().default({}),
    error: text("error"),
    pipelineRunId: uuid("pipeline_run_id"),
    agentTaskId: uuid("agent_task_id"),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    durationMs: integer("duration_ms"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex("schedule_fires_schedule_fire_at_key").on(table.scheduleId, table.fireAt),
    index("schedule_fires_schedule_created_idx").on(table.scheduleId, table.createdAt),
    index("schedule_fires_unfinished_idx").on(table.scheduleId).where(sql`${table.status} in ('waiting', 'queued', 'running')`),
  ],
);
