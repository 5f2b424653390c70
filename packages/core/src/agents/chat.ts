/**
 * Chat sessions: a user talks with an agent. `sendChatMessage` stores the user's message first (so it
 * survives anything that happens next), then runs the agent, streaming text deltas to the caller while
 * each finished message is persisted. One reply at a time per session in this process.
 */
import {
  type DbExecutor,
  findChatSession,
  insertChatMessages,
  insertChatSession,
  listChatMessages,
  listChatSessions as listSessionRows,
  lockChatSession,
  updateChatSession,
} from "@gathering/db";
import { z } from "zod";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { assertSomeModelCallable, loadModelContext } from "../llm/resolve";
import type { Actor } from "../projects/projects";
import { hasControlCharactersInText } from "../validation";
import { loadAgentForRun } from "./agents";
import { type AgentRuntime, foldHistory, runAgentTurn, type TurnEvent, type TurnOutcome, toStoredMessage } from "./runtime";

export const maxChatMessageChars = 100_000;

export const ZChatMessageContent = z
  .string()
  .max(maxChatMessageChars, `Keep a message under ${maxChatMessageChars.toLocaleString("en")} characters`)
  .refine((value) => value.trim().length > 0, "Write a message")
  .refine((value) => !hasControlCharactersInText(value), "Messages cannot contain control characters");

const busySessions = new Set<string>();

function toSession(row: Awaited<ReturnType<typeof insertChatSession>>) {
  return {
    id: row.id,
    agentId: row.agentId,
    kind: row.kind as "chat" | "task",
    title: row.title,
    summary: row.summary,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function titleFrom(content: string): string {
  const flat = content.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

export async function getChatSession(db: DbExecutor, input: { projectId: string; sessionId: string }) {
  const row = await findChatSession(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Chat session not found");
  const messages = await listChatMessages(db, { sessionId: row.id });
  return { ...toSession(row), messages: messages.map(toStoredMessage) };
}

export async function listChatSessions(db: DbExecutor, input: { projectId: string; agentId: string; userId?: string; limit?: number }) {
  const rows = await listSessionRows(db, { ...input, limit: input.limit ?? 50 });
  return rows.map(toSession);
}

export interface SendChatMessageInput {
  projectId: string;
  agentId: string;
  /** Continue this session; omitted starts a new one. */
  sessionId?: string;
  content: string;
  signal?: AbortSignal;
  onEvent?: (event: TurnEvent | { type: "session"; session: ReturnType<typeof toSession> }) => void;
}

export async function sendChatMessage(
  runtime: AgentRuntime,
  actor: Actor,
  input: SendChatMessageInput,
): Promise<TurnOutcome & { sessionId: string }> {
  const content = ZChatMessageContent.parse(input.content);
  const agent = await loadAgentForRun(runtime.db, input);
  let sessionId = input.sessionId;
  if (sessionId && busySessions.has(sessionId)) throw new AppError("CONFLICT", "The agent is still answering in this session");
  // Refuse before storing anything when no model of the chain can be called (no API key set).
  const model = await loadModelContext(runtime.db, runtime.keyring, input.projectId, [
    agent.definition.model,
    ...agent.definition.fallbackModels,
  ]);
  assertSomeModelCallable(model);

  // One transaction stores the user's message and reads the history the model will see.
  const { session, userMessage, history } = await runtime.db.transaction(async (tx) => {
    const session =
      sessionId !== undefined
        ? await lockChatSession(tx, sessionId)
        : await insertChatSession(tx, { projectId: input.projectId, agentId: agent.id, userId: actor.userId, title: titleFrom(content) });
    if (!session || session.projectId !== input.projectId || session.agentId !== agent.id)
      throw new AppError("NOT_FOUND", "Chat session not found");
    if (session.kind !== "chat") throw new AppError("PRECONDITION_FAILED", "This is a task transcript, not a chat");
    if (session.userId && session.userId !== actor.userId) throw new AppError("FORBIDDEN", "This chat session belongs to another user");
    const [userMessage] = await insertChatMessages(tx, [{ sessionId: session.id, projectId: input.projectId, role: "user", content }]);
    if (!userMessage) throw new Error("insert into chat_messages returned no row");
    await publishEvent(tx, input.projectId, "chat.message", {
      sessionId: session.id,
      agentId: agent.id,
      messageId: userMessage.id,
      role: "user",
      seq: userMessage.seq,
    });
    if (sessionId === undefined) return { session, userMessage, history: { summary: "", rows: [userMessage] } };
    const history = await foldHistory(tx, session, agent.definition.memory.shortTermTokens);
    await updateChatSession(tx, { sessionId: session.id, values: {} });
    return { session, userMessage, history };
  });
  sessionId = session.id;
  input.onEvent?.({ type: "session", session: toSession(session) });
  input.onEvent?.({ type: "message", message: toStoredMessage(userMessage) });

  busySessions.add(sessionId);
  try {
    const outcome = await runAgentTurn(runtime, {
      agent,
      sessionId,
      userId: actor.userId,
      runKind: "chat",
      runId: sessionId,
      stream: Boolean(input.onEvent),
      prepared: { model, history },
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onEvent ? { onEvent: input.onEvent } : {}),
    });
    return { ...outcome, sessionId };
  } finally {
    busySessions.delete(sessionId);
  }
}

export async function renameChatSession(db: DbExecutor, input: { projectId: string; sessionId: string; title: string }) {
  const title = z.string().trim().min(1).max(200).parse(input.title);
  const row = await findChatSession(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Chat session not found");
  await updateChatSession(db, { sessionId: row.id, values: { title } });
}

export async function archiveChatSession(db: DbExecutor, input: { projectId: string; sessionId: string }) {
  const row = await findChatSession(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Chat session not found");
  await updateChatSession(db, { sessionId: row.id, values: { archivedAt: new Date() } });
}

/**
 * Continues a session without a new message: after a person decided on a tool call the agent waited
 * for, the call runs (or its rejection is reported to the model) and the agent carries on.
 */
export async function resumeChat(
  runtime: AgentRuntime,
  actor: Actor,
  input: { projectId: string; sessionId: string; signal?: AbortSignal; onEvent?: (event: TurnEvent) => void },
): Promise<TurnOutcome & { sessionId: string }> {
  const session = await findChatSession(runtime.db, input);
  if (!session || session.kind !== "chat") throw new AppError("NOT_FOUND", "Chat session not found");
  if (session.userId && session.userId !== actor.userId) throw new AppError("FORBIDDEN", "This chat session belongs to another user");
  if (busySessions.has(session.id)) throw new AppError("CONFLICT", "The agent is still answering in this session");
  const agent = await loadAgentForRun(runtime.db, { projectId: input.projectId, agentId: session.agentId });
  busySessions.add(session.id);
  try {
    const outcome = await runAgentTurn(runtime, {
      agent,
      sessionId: session.id,
      userId: actor.userId,
      runKind: "chat",
      runId: session.id,
      stream: Boolean(input.onEvent),
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onEvent ? { onEvent: input.onEvent } : {}),
    });
    return { ...outcome, sessionId: session.id };
  } finally {
    busySessions.delete(session.id);
  }
}
