/**
 * Approvals of tool calls that need a person's yes: bound to one call of one run (session and tool call
 * id) and to the exact arguments (a hash), decided once, used once.
 */
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { chatSessions } from "./chat";
import { createdAt, id } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const toolApprovals = pgTable(
  "tool_approvals",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => chatSessions.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    toolCallId: text("tool_call_id").notNull(),
    toolName: text("tool_name").notNull(),
    arguments: jsonb("arguments").notNull(),
    /** SHA-256 of the arguments' canonical JSON: the approval holds for these arguments only. */
    argumentsHash: text("arguments_hash").notNull(),
    /** pending | approved | rejected | used */
    status: text("status").notNull().default("pending"),
    reason: text("reason"),
    decidedBy: uuid("decided_by").references(() => users.id, { onDelete: "set null" }),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "date" }),
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("tool_approvals_session_call_key").on(table.sessionId, table.toolCallId),
    index("tool_approvals_project_status_idx").on(table.projectId, table.status),
  ],
);
