/**
 * Agents and what they remember. Configuration that is validated as a whole by core (parameters,
 * fallback chain, tools, memory settings, budgets) is JSON; what is queried or joined on is a column.
 */
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const agents = pgTable(
  "agents",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role").notNull(),
    goal: text("goal").notNull().default(""),
    instructions: text("instructions").notNull().default(""),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    parameters: jsonb("parameters").notNull().default({}),
    fallbackModels: jsonb("fallback_models").notNull().default([]),
    tools: jsonb("tools").notNull().default([]),
    /** Tools whose every call this agent makes waits for a person's approval (besides tools that always do). */
    approvalTools: jsonb("approval_tools").notNull().default([]),
    knowledgeBaseIds: jsonb("knowledge_base_ids").notNull().default([]),
    memory: jsonb("memory").notNull().default({}),
    budgets: jsonb("budgets").notNull().default({}),
    /** Bumped by every update; an update may name the version it edited to refuse lost updates. */
    version: integer("version").notNull().default(1),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    archivedAt: timestamp("archived_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("agents_project_id_idx").on(table.projectId, table.createdAt),
    uniqueIndex("agents_project_id_name_live_key").on(table.projectId, sql`lower(${table.name})`).where(sql`${table.archivedAt} is null`),
  ],
);

/** Long-term memory: facts with an embedding, recalled by similarity (exact cosine; pgvector optional later). */
export const agentMemories = pgTable(
  "agent_memories",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    /** The user the fact is about or came from; null for facts shared by every user of the agent. */
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    content: text("content").notNull(),
    embedding: real("embedding").array().notNull(),
    embeddingModel: text("embedding_model").notNull(),
    /** "agent" (the agent chose to remember) or "user" (told to, or added by hand). */
    source: text("source").notNull(),
    sessionId: uuid("session_id"),
    createdAt: createdAt(),
  },
  (table) => [index("agent_memories_agent_id_idx").on(table.agentId, table.createdAt)],
);

/** Working memory: one structured profile per agent and user, updated by the agent. */
export const agentProfiles = pgTable(
  "agent_profiles",
  {
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    data: jsonb("data").notNull().default({}),
    updatedAt: updatedAt(),
  },
  (table) => [primaryKey({ columns: [table.agentId, table.userId] })],
);
