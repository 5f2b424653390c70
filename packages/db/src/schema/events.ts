/**
 * Durable events (status changes, membership and settings changes, messages): the source of truth for
 * live updates. A committed insert is announced with one NOTIFY per transaction; subscribers read the
 * rows themselves, so a missed notification or a slow reader never loses an event.
 */
import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: uuid("project_id").notNull(),
    topic: text("topic").notNull(),
    payload: jsonb("payload").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [index("events_project_id_id_idx").on(table.projectId, table.id), index("events_created_at_idx").on(table.createdAt)],
);
