/**
 * The usage ledger: one row per model call (successful or not), with tokens and cost in micro-dollars.
 * Budgets are sums over this table, per run, per agent per day and per project per day.
 */
import { bigint, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns";
import { projects } from "./projects";

export const modelCalls = pgTable(
  "model_calls",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** No foreign keys below: the ledger outlives what it bills (an archived agent's spend still counts). */
    agentId: uuid("agent_id"),
    /** What the call was part of: a chat session, a task, a circle or pipeline run. */
    runKind: text("run_kind").notNull(),
    runId: uuid("run_id").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    status: text("status").notNull(),
    errorKind: text("error_kind"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    latencyMs: integer("latency_ms").notNull().default(0),
    fallbacks: jsonb("fallbacks"),
    createdAt: createdAt(),
  },
  (table) => [
    index("model_calls_project_id_created_at_idx").on(table.projectId, table.createdAt),
    index("model_calls_agent_id_created_at_idx").on(table.agentId, table.createdAt),
    index("model_calls_run_id_idx").on(table.runId),
  ],
);
