/**
 * Conversations: two or more agents talk directly on a topic for N exchanges. A conversation is a
 * circle run of kind "conversation" (sequential, `rounds` = exchanges), so it is durable, streamed,
 * replayable and controlled (pause, resume, cancel, a person's message) exactly like a circle's run.
 */
import {
  type ConversationRow,
  type Database,
  type DbExecutor,
  findConversation,
  findProjectAgentsByIds,
  insertConversation,
  listConversationRows,
  updateConversationRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { decodeCursor, toPage, ZListSearch, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { hasControlCharacters } from "../validation";
import { type CircleRunConfig, maxCircleTurns, ZCircleTask } from "./definition";
import { type CircleQueue, type CircleRun, insertRunAndFirstTurn, toCircleRun } from "./runs";

export const ZCreateConversationInput = z
  .object({
    title: z
      .string()
      .trim()
      .min(1, "Give the conversation a title")
      .max(200, "Use at most 200 characters")
      .refine((value) => !hasControlCharacters(value), "Titles cannot contain control characters"),
    topic: ZCircleTask,
    agentIds: z
      .array(z.uuid())
      .min(2, "A conversation needs at least two agents")
      .max(10, "Use at most 10 agents")
      .refine((ids) => new Set(ids).size === ids.length, "Each agent takes part once"),
    exchanges: z.number().int().min(1, "At least one exchange").max(50, "At most 50 exchanges"),
  })
  .refine((input) => input.agentIds.length * input.exchanges <= maxCircleTurns, `At most ${maxCircleTurns} messages in all`);

export function toConversation(row: ConversationRow) {
  return {
    id: row.id,
    title: row.title,
    topic: row.topic,
    agentIds: row.agentIds as string[],
    exchanges: row.exchanges,
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
  };
}
export type Conversation = ReturnType<typeof toConversation>;

async function participants(db: DbExecutor, projectId: string, agentIds: readonly string[]) {
  const rows = new Map((await findProjectAgentsByIds(db, { projectId, agentIds })).map((row) => [row.id, row]));
  return agentIds.map((id) => {
    const row = rows.get(id);
    if (!row) throw new AppError("NOT_FOUND", "One of the agents was not found in this project", { agentId: id });
    if (row.archivedAt) throw new AppError("PRECONDITION_FAILED", `The agent "${row.name}" is archived`, { agentId: id });
    return { agentId: row.id, name: row.name, role: row.role };
  });
}

async function startRun(
  tx: Parameters<Parameters<Database["transaction"]>[0]>[0],
  queue: CircleQueue,
  actor: Actor | null,
  conversation: ConversationRow,
) {
  const members = await participants(tx, conversation.projectId, conversation.agentIds as string[]);
  const config: CircleRunConfig = {
    name: conversation.title,
    strategy: "sequential",
    members,
    coordinator: null,
    termination: { maxTurns: members.length * conversation.exchanges },
    rounds: conversation.exchanges,
  };
  return insertRunAndFirstTurn(tx, queue, {
    projectId: conversation.projectId,
    kind: "conversation",
    conversationId: conversation.id,
    config,
    task: conversation.topic,
    origin: { kind: "user" },
    createdBy: actor?.userId ?? null,
  });
}

/** Creates the conversation and starts its first run. */
export async function startConversation(
  db: Database,
  queue: CircleQueue,
  actor: Actor,
  input: { projectId: string } & z.input<typeof ZCreateConversationInput>,
): Promise<{ conversation: Conversation; run: CircleRun }> {
  const parsed = ZCreateConversationInput.safeParse(input);
  if (!parsed.success)
    throw new AppError("VALIDATION_FAILED", parsed.error.issues[0]?.message ?? "Invalid conversation", {
      issues: z.treeifyError(parsed.error),
    });
  return db.transaction(async (tx) => {
    await participants(tx, input.projectId, parsed.data.agentIds);
    const conversation = await insertConversation(tx, { projectId: input.projectId, ...parsed.data, createdBy: actor.userId });
    const run = await startRun(tx, queue, actor, conversation);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "conversation.create",
      target: conversation.id,
      ip: actor.ip,
    });
    return { conversation: toConversation(conversation), run: toCircleRun(run) };
  });
}

/** Runs the same conversation again, from the start, as a new run (the earlier runs stay to replay). */
export async function rerunConversation(
  db: Database,
  queue: CircleQueue,
  actor: Actor,
  input: { projectId: string; conversationId: string },
): Promise<CircleRun> {
  return db.transaction(async (tx) => {
    const conversation = await findConversation(tx, input);
    if (!conversation) throw new AppError("NOT_FOUND", "Conversation not found");
    if (conversation.archivedAt) throw new AppError("PRECONDITION_FAILED", "This conversation is archived");
    const run = await startRun(tx, queue, actor, conversation);
    await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action: "circle.run", target: run.id, ip: actor.ip });
    return toCircleRun(run);
  });
}

export async function getConversation(db: DbExecutor, input: { projectId: string; conversationId: string }): Promise<Conversation> {
  const row = await findConversation(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Conversation not found");
  return toConversation(row);
}

export const ZListConversationsInput = z.object({
  /** Part of the title or the topic, case-insensitive. */
  search: ZListSearch.optional(),
  includeArchived: z.boolean().default(false),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: ZPageCursor.optional(),
});

export async function listConversations(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListConversationsInput>) {
  const options = ZListConversationsInput.parse(input);
  const rows = await listConversationRows(db, {
    projectId: input.projectId,
    includeArchived: options.includeArchived,
    ...(options.search ? { search: options.search } : {}),
    limit: options.limit + 1,
    ...(options.cursor ? { cursor: decodeCursor(options.cursor) } : {}),
  });
  return toPage(rows, options.limit, toConversation);
}

export async function archiveConversation(
  db: Database,
  actor: Actor,
  input: { projectId: string; conversationId: string },
): Promise<Conversation> {
  return db.transaction(async (tx) => {
    const current = await findConversation(tx, input);
    if (!current) throw new AppError("NOT_FOUND", "Conversation not found");
    if (current.archivedAt) throw new AppError("PRECONDITION_FAILED", "This conversation is already archived");
    const row = await updateConversationRow(tx, { conversationId: current.id, values: { archivedAt: new Date() } });
    if (!row) throw new AppError("NOT_FOUND", "Conversation not found");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "conversation.archive",
      target: row.id,
      ip: actor.ip,
    });
    return toConversation(row);
  });
}
