/** Chat sessions with an agent and their messages (user, assistant, tool), in order. */
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const chatSessions = pgTable(
  "chat_sessions",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    /** "chat" (a user talks with the agent) or "task" (the transcript of a background task). */
    kind: text("kind").notNull().default("chat"),
    title: text("title").notNull(),
    /** A summary of the turns that no longer fit the short-term window, oldest first. */
    summary: text("summary").notNull().default(""),
    /** Messages with a sequence number up to this one are covered by the summary. */
    summarizedThroughSeq: bigint("summarized_through_seq", { mode: "number" }).notNull().default(0),
    archivedAt: timestamp("archived_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("chat_sessions_agent_id_idx").on(table.agentId, table.updatedAt),
    index("chat_sessions_project_id_idx").on(table.projectId),
  ],
);

export const chatMessages = pgTable(
  "chat_messages",
  {
    id: id(),
    /** Global order; a session's messages are read by `seq`. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => chatSessions.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    content: text("content").notNull(),
    /** Assistant turns: the tool calls the model made. Tool turns: the call answered. */
    toolCalls: jsonb("tool_calls"),
    toolCallId: text("tool_call_id"),
    toolName: text("tool_name"),
    isError: boolean("is_error").notNull().default(false),
    provider: text("provider"),
    model: text("model"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    /** Models tried before the one that answered, with why each failed. */
    fallbacks: jsonb("fallbacks"),
    /** Assistant turns: the knowledge-base chunks the answer cites ([n] markers), for the chat's source links. */
    citations: jsonb("citations"),
    createdAt: createdAt(),
  },
  (table) => [index("chat_messages_session_id_seq_idx").on(table.sessionId, table.seq)],
);
