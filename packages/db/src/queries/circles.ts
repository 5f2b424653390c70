/** Query functions for circles, their members, conversations, and circle runs with their turns, messages and board. */
import { and, asc, desc, eq, ilike, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { agents, circleBoardItems, circleMembers, circleMessages, circleRuns, circles, circleTurns, conversations } from "../schema";
import { containsPattern } from "./search";

export type CircleRow = typeof circles.$inferSelect;
export type CircleMemberRow = typeof circleMembers.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;
export type CircleRunRow = typeof circleRuns.$inferSelect;
export type CircleTurnRow = typeof circleTurns.$inferSelect;
export type CircleMessageRow = typeof circleMessages.$inferSelect;
export type CircleBoardItemRow = typeof circleBoardItems.$inferSelect;

type Cursor = { createdAt: Date; id: string };

export async function insertCircle(db: DbExecutor, values: typeof circles.$inferInsert): Promise<CircleRow> {
  const [row] = await db.insert(circles).values(values).returning();
  if (!row) throw new Error("insert into circles returned no row");
  return row;
}

export async function findCircle(db: DbExecutor, params: { projectId: string; circleId: string }): Promise<CircleRow | undefined> {
  const [row] = await db
    .select()
    .from(circles)
    .where(and(eq(circles.projectId, params.projectId), eq(circles.id, params.circleId)));
  return row;
}

export async function lockCircle(db: DbExecutor, params: { projectId: string; circleId: string }): Promise<CircleRow | undefined> {
  const [row] = await db
    .select()
    .from(circles)
    .where(and(eq(circles.projectId, params.projectId), eq(circles.id, params.circleId)))
    .for("update");
  return row;
}

export async function findLiveCircleByName(db: DbExecutor, params: { projectId: string; name: string }): Promise<CircleRow | undefined> {
  const [row] = await db
    .select()
    .from(circles)
    .where(and(eq(circles.projectId, params.projectId), isNull(circles.archivedAt), sql`lower(${circles.name}) = lower(${params.name})`));
  return row;
}

export async function updateCircleRow(
  db: DbExecutor,
  params: { circleId: string; values: Partial<typeof circles.$inferInsert> },
): Promise<CircleRow | undefined> {
  const [row] = await db
    .update(circles)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(circles.id, params.circleId))
    .returning();
  return row;
}

function beforeCursor(createdAt: typeof circles.createdAt, id: typeof circles.id, cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  return or(lt(createdAt, cursor.createdAt), and(eq(createdAt, cursor.createdAt), lt(id, cursor.id)));
}

export async function listCircleRows(
  db: DbExecutor,
  params: { projectId: string; search?: string; includeArchived: boolean; limit: number; cursor?: Cursor },
): Promise<CircleRow[]> {
  const conditions: SQL[] = [eq(circles.projectId, params.projectId)];
  if (!params.includeArchived) conditions.push(isNull(circles.archivedAt));
  if (params.search) conditions.push(ilike(circles.name, containsPattern(params.search)));
  const before = beforeCursor(circles.createdAt, circles.id, params.cursor);
  if (before) conditions.push(before);
  return db
    .select()
    .from(circles)
    .where(and(...conditions))
    .orderBy(desc(circles.createdAt), desc(circles.id))
    .limit(params.limit);
}

export async function listCircleMembers(db: DbExecutor, circleIds: readonly string[]): Promise<CircleMemberRow[]> {
  if (circleIds.length === 0) return [];
  return db
    .select()
    .from(circleMembers)
    .where(inArray(circleMembers.circleId, [...circleIds]))
    .orderBy(asc(circleMembers.circleId), asc(circleMembers.position));
}

/** Replaces a circle's members with the given ones, in order. */
export async function replaceCircleMembers(
  db: DbExecutor,
  params: { circleId: string; projectId: string; members: ReadonlyArray<{ agentId: string; role: string }> },
): Promise<CircleMemberRow[]> {
  await db.delete(circleMembers).where(eq(circleMembers.circleId, params.circleId));
  if (params.members.length === 0) return [];
  return db
    .insert(circleMembers)
    .values(params.members.map((member, position) => ({ ...member, position, circleId: params.circleId, projectId: params.projectId })))
    .returning();
}

export async function insertConversation(db: DbExecutor, values: typeof conversations.$inferInsert): Promise<ConversationRow> {
  const [row] = await db.insert(conversations).values(values).returning();
  if (!row) throw new Error("insert into conversations returned no row");
  return row;
}

export async function findConversation(
  db: DbExecutor,
  params: { projectId: string; conversationId: string },
): Promise<ConversationRow | undefined> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.projectId, params.projectId), eq(conversations.id, params.conversationId)));
  return row;
}

export async function updateConversationRow(
  db: DbExecutor,
  params: { conversationId: string; values: Partial<typeof conversations.$inferInsert> },
): Promise<ConversationRow | undefined> {
  const [row] = await db
    .update(conversations)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(conversations.id, params.conversationId))
    .returning();
  return row;
}

export async function listConversationRows(
  db: DbExecutor,
  params: { projectId: string; includeArchived: boolean; search?: string; limit: number; cursor?: Cursor },
): Promise<ConversationRow[]> {
  const conditions: SQL[] = [eq(conversations.projectId, params.projectId)];
  if (!params.includeArchived) conditions.push(isNull(conversations.archivedAt));
  if (params.search) {
    const pattern = containsPattern(params.search);
    const matches = or(ilike(conversations.title, pattern), ilike(conversations.topic, pattern));
    if (matches) conditions.push(matches);
  }
  if (params.cursor) {
    const before = or(
      lt(conversations.createdAt, params.cursor.createdAt),
      and(eq(conversations.createdAt, params.cursor.createdAt), lt(conversations.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select()
    .from(conversations)
    .where(and(...conditions))
    .orderBy(desc(conversations.createdAt), desc(conversations.id))
    .limit(params.limit);
}

export async function insertCircleRun(db: DbExecutor, values: typeof circleRuns.$inferInsert): Promise<CircleRunRow> {
  const [row] = await db.insert(circleRuns).values(values).returning();
  if (!row) throw new Error("insert into circle_runs returned no row");
  return row;
}

export async function findCircleRun(db: DbExecutor, params: { projectId: string; runId: string }): Promise<CircleRunRow | undefined> {
  const [row] = await db
    .select()
    .from(circleRuns)
    .where(and(eq(circleRuns.projectId, params.projectId), eq(circleRuns.id, params.runId)));
  return row;
}

/** Locks the run row: every transition of a run, and every turn's commit, holds this lock. */
export async function lockCircleRun(db: DbExecutor, runId: string): Promise<CircleRunRow | undefined> {
  const [row] = await db.select().from(circleRuns).where(eq(circleRuns.id, runId)).for("update");
  return row;
}

export async function findCircleRunStatus(db: DbExecutor, runId: string): Promise<string | undefined> {
  const [row] = await db.select({ status: circleRuns.status }).from(circleRuns).where(eq(circleRuns.id, runId));
  return row?.status;
}

export async function updateCircleRunRow(
  db: DbExecutor,
  params: { runId: string; values: Partial<typeof circleRuns.$inferInsert> },
): Promise<CircleRunRow | undefined> {
  const [row] = await db
    .update(circleRuns)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(circleRuns.id, params.runId))
    .returning();
  return row;
}

export async function listCircleRunRows(
  db: DbExecutor,
  params: {
    projectId: string;
    circleId?: string;
    conversationId?: string;
    kind?: string;
    statuses?: readonly string[];
    limit: number;
    cursor?: Cursor;
  },
): Promise<CircleRunRow[]> {
  const conditions: SQL[] = [eq(circleRuns.projectId, params.projectId)];
  if (params.statuses && params.statuses.length > 0) conditions.push(inArray(circleRuns.status, [...params.statuses]));
  if (params.circleId) conditions.push(eq(circleRuns.circleId, params.circleId));
  if (params.conversationId) conditions.push(eq(circleRuns.conversationId, params.conversationId));
  if (params.kind) conditions.push(eq(circleRuns.kind, params.kind));
  if (params.cursor) {
    const before = or(
      lt(circleRuns.createdAt, params.cursor.createdAt),
      and(eq(circleRuns.createdAt, params.cursor.createdAt), lt(circleRuns.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select()
    .from(circleRuns)
    .where(and(...conditions))
    .orderBy(desc(circleRuns.createdAt), desc(circleRuns.id))
    .limit(params.limit);
}

export async function insertCircleTurn(db: DbExecutor, values: typeof circleTurns.$inferInsert): Promise<CircleTurnRow> {
  const [row] = await db.insert(circleTurns).values(values).returning();
  if (!row) throw new Error("insert into circle_turns returned no row");
  return row;
}

export async function listCircleTurns(db: DbExecutor, runId: string): Promise<CircleTurnRow[]> {
  return db.select().from(circleTurns).where(eq(circleTurns.runId, runId)).orderBy(asc(circleTurns.turnNumber));
}

export async function insertCircleMessages(db: DbExecutor, values: Array<typeof circleMessages.$inferInsert>): Promise<CircleMessageRow[]> {
  if (values.length === 0) return [];
  return db.insert(circleMessages).values(values).returning();
}

export async function listCircleMessages(db: DbExecutor, runId: string): Promise<CircleMessageRow[]> {
  return db
    .select()
    .from(circleMessages)
    .where(eq(circleMessages.runId, runId))
    .orderBy(asc(circleMessages.createdAt), asc(circleMessages.turnNumber), asc(circleMessages.id));
}

export async function listCircleBoardItems(db: DbExecutor, runId: string): Promise<CircleBoardItemRow[]> {
  return db.select().from(circleBoardItems).where(eq(circleBoardItems.runId, runId)).orderBy(asc(circleBoardItems.number));
}

export async function insertCircleBoardItems(
  db: DbExecutor,
  values: Array<typeof circleBoardItems.$inferInsert>,
): Promise<CircleBoardItemRow[]> {
  if (values.length === 0) return [];
  return db.insert(circleBoardItems).values(values).returning();
}

export async function updateCircleBoardItem(
  db: DbExecutor,
  params: { runId: string; number: number; values: Partial<typeof circleBoardItems.$inferInsert> },
): Promise<CircleBoardItemRow | undefined> {
  const [row] = await db
    .update(circleBoardItems)
    .set({ ...params.values, updatedAt: new Date() })
    .where(and(eq(circleBoardItems.runId, params.runId), eq(circleBoardItems.number, params.number)))
    .returning();
  return row;
}

/** The project's agents among the given ids (for checking a circle's members in one query). */
export async function findProjectAgentsByIds(
  db: DbExecutor,
  params: { projectId: string; agentIds: readonly string[] },
): Promise<Array<{ id: string; name: string; role: string; archivedAt: Date | null }>> {
  if (params.agentIds.length === 0) return [];
  return db
    .select({ id: agents.id, name: agents.name, role: agents.role, archivedAt: agents.archivedAt })
    .from(agents)
    .where(and(eq(agents.projectId, params.projectId), inArray(agents.id, [...params.agentIds])));
}

/** For the engine, which knows a run only by its id (the job payload). */
export async function findCircleRunById(db: DbExecutor, runId: string): Promise<CircleRunRow | undefined> {
  const [row] = await db.select().from(circleRuns).where(eq(circleRuns.id, runId));
  return row;
}
