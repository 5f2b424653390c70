/** Query functions for chat sessions and their messages. */
import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { chatMessages, chatSessions } from "../schema";

export type ChatSessionRow = typeof chatSessions.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;
export type NewChatMessageRow = typeof chatMessages.$inferInsert;

export async function insertChatSession(db: DbExecutor, values: typeof chatSessions.$inferInsert): Promise<ChatSessionRow> {
  const [row] = await db.insert(chatSessions).values(values).returning();
  if (!row) throw new Error("insert into chat_sessions returned no row");
  return row;
}

export async function findChatSession(
  db: DbExecutor,
  params: { projectId: string; sessionId: string },
): Promise<ChatSessionRow | undefined> {
  const [row] = await db
    .select()
    .from(chatSessions)
    .where(and(eq(chatSessions.projectId, params.projectId), eq(chatSessions.id, params.sessionId)));
  return row;
}

/** Locks the session row for the length of the transaction: one turn at a time per session. */
export async function lockChatSession(db: DbExecutor, sessionId: string): Promise<ChatSessionRow | undefined> {
  const [row] = await db.select().from(chatSessions).where(eq(chatSessions.id, sessionId)).for("update");
  return row;
}

export async function listChatSessions(
  db: DbExecutor,
  params: { projectId: string; agentId: string; userId?: string; limit: number },
): Promise<ChatSessionRow[]> {
  const conditions = [
    eq(chatSessions.projectId, params.projectId),
    eq(chatSessions.agentId, params.agentId),
    isNull(chatSessions.archivedAt),
  ];
  if (params.userId) conditions.push(eq(chatSessions.userId, params.userId));
  return db
    .select()
    .from(chatSessions)
    .where(and(...conditions))
    .orderBy(desc(chatSessions.updatedAt))
    .limit(params.limit);
}

export async function updateChatSession(
  db: DbExecutor,
  params: { sessionId: string; values: Partial<Pick<ChatSessionRow, "title" | "summary" | "summarizedThroughSeq" | "archivedAt">> },
): Promise<void> {
  await db
    .update(chatSessions)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(chatSessions.id, params.sessionId));
}

export async function insertChatMessages(db: DbExecutor, values: NewChatMessageRow[]): Promise<ChatMessageRow[]> {
  if (values.length === 0) return [];
  return db.insert(chatMessages).values(values).returning();
}

export async function listChatMessages(
  db: DbExecutor,
  params: { sessionId: string; afterSeq?: number; limit?: number },
): Promise<ChatMessageRow[]> {
  const conditions = [eq(chatMessages.sessionId, params.sessionId)];
  if (params.afterSeq !== undefined) conditions.push(gt(chatMessages.seq, params.afterSeq));
  const query = db
    .select()
    .from(chatMessages)
    .where(and(...conditions))
    .orderBy(asc(chatMessages.seq));
  return params.limit ? query.limit(params.limit) : query;
}

export async function countChatMessages(db: DbExecutor, sessionId: string): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(chatMessages).where(eq(chatMessages.sessionId, sessionId));
  return row?.count ?? 0;
}
