/**
 * The audit log: append-only and hash-chained. A trigger computes each row's hash from the previous
 * row's hash and its own content, and another refuses UPDATE and DELETE (see the custom migration).
 */
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: uuid("project_id"),
    actorUserId: uuid("actor_user_id"),
    action: text("action").notNull(),
    target: text("target"),
    metadata: jsonb("metadata").notNull().default({}),
    ip: text("ip"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (table) => [index("audit_log_project_id_id_idx").on(table.projectId, table.id), index("audit_log_action_idx").on(table.action)],
);

/** Rate limit counters (fixed window per key). Unlogged: losing them in a crash is harmless. */
export const rateLimitBuckets = pgTable("rate_limit_buckets", {
  key: text("key").primaryKey(),
  windowStart: timestamp("window_start", { withTimezone: true, mode: "date" }).notNull(),
  count: integer("count").notNull(),
});
