/**
 * In-app notifications: one row per recipient, read state per row. A schedule fire that notifies
 * writes at most one row per user (the unique key), so a retried action does not notify twice.
 */
import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    /** info | success | warning | error */
    level: text("level").notNull().default("info"),
    /** A path inside the dashboard, e.g. /schedules/<id>. */
    link: text("link"),
    /** The schedule fire that sent it, if any. */
    fireId: uuid("fire_id"),
    readAt: timestamp("read_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (table) => [
    index("notifications_user_project_idx").on(table.userId, table.projectId, table.createdAt),
    index("notifications_unread_idx").on(table.userId, table.projectId).where(sql`${table.readAt} is null`),
    uniqueIndex("notifications_fire_user_key").on(table.fireId, table.userId).where(sql`${table.fireId} is not null`),
  ],
);
