/**
 * Circles: a group of agents with roles that work on a task together, and their durable runs. A run
 * snapshots the circle's configuration when it starts; its turns, messages and task board are rows that
 * the engine writes in one transaction per turn, so the rows (not the jobs) are the truth about a run.
 * Conversations (agents talking directly on a topic) run on the same machinery: a run with kind
 * "conversation" and no circle.
 */
import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const circles = pgTable(
  "circles",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    /** sequential | round_robin | selector | hierarchical | handoff */
    strategy: text("strategy").notNull(),
    /** The agent that picks speakers (selector) or manages (hierarchical); null for the other strategies. */
    coordinatorAgentId: uuid("coordinator_agent_id").references(() => agents.id, { onDelete: "set null" }),
    /** Termination rules and budgets, validated by core: maxTurns, maxTokens, maxCostMicros, timeoutSeconds, completionPhrase. */
    termination: jsonb("termination").notNull().default({}),
    knowledgeBaseIds: jsonb("knowledge_base_ids").notNull().default([]),
    /** Bumped by every update; an update may name the version it edited to refuse lost updates. */
    version: integer("version").notNull().default(1),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    archivedAt: timestamp("archived_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("circles_project_id_idx").on(table.projectId, table.createdAt),
    uniqueIndex("circles_project_live_name_key").on(table.projectId, sql`lower(${table.name})`).where(sql`${table.archivedAt} is null`),
  ],
);

export const circleMembers = pgTable(
  "circle_members",
  {
    id: id(),
    circleId: uuid("circle_id")
      .notNull()
      .references(() => circles.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    /** What this agent does inside the circle; other members and the selector read it. */
    role: text("role").notNull().default(""),
    position: integer("position").notNull(),
  },
  (table) => [
    uniqueIndex("circle_members_circle_agent_key").on(table.circleId, table.agentId),
    index("circle_members_agent_id_idx").on(table.agentId),
  ],
);

export const conversations = pgTable(
  "conversations",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    topic: text("topic").notNull(),
    /** The participating agents in speaking order. */
    agentIds: jsonb("agent_ids").notNull().default([]),
    /** How many times each participant speaks. */
    exchanges: integer("exchanges").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    archivedAt: timestamp("archived_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index("conversations_project_id_idx").on(table.projectId, table.createdAt)],
);

export const circleRuns = pgTable(
  "circle_runs",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** "circle" or "conversation". */
    kind: text("kind").notNull().default("circle"),
    circleId: uuid("circle_id").references(() => circles.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "cascade" }),
    /** The members, strategy and termination rules as they were when the run started. */
    config: jsonb("config").notNull(),
    task: text("task").notNull(),
    /** running | paused | succeeded | stopped | failed | cancelled */
    status: text("status").notNull().default("running"),
    /** Why the run ended: finished, phrase, sequence_complete, max_turns, token_budget, cost_budget, timeout, user_stop, error. */
    stopReason: text("stop_reason"),
    /** Turns whose effects are committed; the next turn to run is this plus one. */
    turnsCompleted: integer("turns_completed").notNull().default(0),
    /** What the strategy carries between turns (next speaker, phase, pick history). */
    state: jsonb("state").notNull().default({}),
    result: text("result"),
    error: text("error"),
    origin: jsonb("origin").notNull().default({}),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    timeoutAt: timestamp("timeout_at", { withTimezone: true, mode: "date" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("circle_runs_project_id_idx").on(table.projectId, table.createdAt),
    index("circle_runs_circle_id_idx").on(table.circleId, table.createdAt),
    index("circle_runs_conversation_id_idx").on(table.conversationId, table.createdAt),
  ],
);

/** One row per completed turn; the unique key is what makes a turn impossible to commit twice. */
export const circleTurns = pgTable(
  "circle_turns",
  {
    id: id(),
    runId: uuid("run_id")
      .notNull()
      .references(() => circleRuns.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    turnNumber: integer("turn_number").notNull(),
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    /** speak | select | plan | review | synthesise: what the turn was for. */
    purpose: text("purpose").notNull().default("speak"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex("circle_turns_run_turn_key").on(table.runId, table.turnNumber)],
);

/** The shared transcript: agent turns, people's messages and system notes, in order. */
export const circleMessages = pgTable(
  "circle_messages",
  {
    id: id(),
    runId: uuid("run_id")
      .notNull()
      .references(() => circleRuns.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** The turn that wrote it; a person's message carries the number of the turn that will first see it. */
    turnNumber: integer("turn_number").notNull(),
    /** agent | user | system */
    authorKind: text("author_kind").notNull(),
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    content: text("content").notNull(),
    /** Tools the agent called during the turn, with their results (finish, handoff, board updates). */
    toolCalls: jsonb("tool_calls"),
    provider: text("provider"),
    model: text("model"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [index("circle_messages_run_id_idx").on(table.runId, table.createdAt)],
);

/** The run's shared task board: subtasks with an owner, a status and a result. */
export const circleBoardItems = pgTable(
  "circle_board_items",
  {
    id: id(),
    runId: uuid("run_id")
      .notNull()
      .references(() => circleRuns.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** Short number shown to agents and people ("#3"), in creation order within the run. */
    number: integer("number").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    ownerAgentId: uuid("owner_agent_id").references(() => agents.id, { onDelete: "set null" }),
    /** open | in_progress | done | cancelled */
    status: text("status").notNull().default("open"),
    result: text("result"),
    createdTurn: integer("created_turn").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex("circle_board_items_run_number_key").on(table.runId, table.number)],
);
