/** Background tasks: work submitted to an agent (or later a circle) that runs on the worker. */
import { bigint, index, integer, jsonb, pgTable, real, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const agentTasks = pgTable(
  "agent_tasks",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    /** The transcript (kind "task"), created with the task. */
    sessionId: uuid("session_id").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    /** queued | running | succeeded | failed | cancelled */
    status: text("status").notNull().default("queued"),
    input: text("input").notNull(),
    /** Where the task came from: "user", "pipeline", "schedule", with its id. */
    origin: jsonb("origin").notNull().default({}),
    progress: real("progress").notNull().default(0),
    result: text("result"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("agent_tasks_project_id_idx").on(table.projectId, table.createdAt),
    index("agent_tasks_agent_id_idx").on(table.agentId),
  ],
);
