/** Query functions for agents, their long-term memories and working-memory profiles. */
import { and, desc, eq, ilike, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { agentMemories, agentProfiles, agents } from "../schema";
import { containsPattern } from "./search";

export type AgentRow = typeof agents.$inferSelect;
export type NewAgentRow = typeof agents.$inferInsert;
export type AgentMemoryRow = typeof agentMemories.$inferSelect;

export async function insertAgent(db: DbExecutor, values: NewAgentRow): Promise<AgentRow> {
  const [row] = await db.insert(agents).values(values).returning();
  if (!row) throw new Error("insert into agents returned no row");
  return row;
}

export async function findAgent(db: DbExecutor, params: { projectId: string; agentId: string }): Promise<AgentRow | undefined> {
  const [row] = await db
    .select()
    .from(agents)
    .where(and(eq(agents.projectId, params.projectId), eq(agents.id, params.agentId)));
  return row;
}

/** Keyset pagination by (created_at, id), newest first. */
export async function listAgents(
  db: DbExecutor,
  params: { projectId: string; search?: string; includeArchived?: boolean; limit: number; cursor?: { createdAt: Date; id: string } },
): Promise<AgentRow[]> {
  const conditions: SQL[] = [eq(agents.projectId, params.projectId)];
  if (!params.includeArchived) conditions.push(isNull(agents.archivedAt));
  if (params.search) {
    const pattern = containsPattern(params.search);
    const match = or(ilike(agents.name, pattern), ilike(agents.role, pattern));
    if (match) conditions.push(match);
  }
  if (params.cursor) {
    const before = or(
      lt(agents.createdAt, params.cursor.createdAt),
      and(eq(agents.createdAt, params.cursor.createdAt), lt(agents.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select()
    .from(agents)
    .where(and(...conditions))
    .orderBy(desc(agents.createdAt), desc(agents.id))
    .limit(params.limit);
}

/** Updates when `expectedVersion` (if given) still matches; returns undefined otherwise. */
export async function updateAgent(
  db: DbExecutor,
  params: { projectId: string; agentId: string; expectedVersion?: number; values: Partial<NewAgentRow> },
): Promise<AgentRow | undefined> {
  const conditions = [eq(agents.projectId, params.projectId), eq(agents.id, params.agentId), isNull(agents.archivedAt)];
  if (params.expectedVersion !== undefined) conditions.push(eq(agents.version, params.expectedVersion));
  const [row] = await db
    .update(agents)
    .set({ ...params.values, version: sql`${agents.version} + 1` })
    .where(and(...conditions))
    .returning();
  return row;
}

export async function setAgentArchived(
  db: DbExecutor,
  params: { projectId: string; agentId: string; archived: boolean },
): Promise<AgentRow | undefined> {
  const [row] = await db
    .update(agents)
    .set({ archivedAt: params.archived ? new Date() : null, version: sql`${agents.version} + 1` })
    .where(
      and(
        eq(agents.projectId, params.projectId),
        eq(agents.id, params.agentId),
        params.archived ? isNull(agents.archivedAt) : isNotNull(agents.archivedAt),
      ),
    )
    .returning();
  return row;
}

export async function isAgentNameTaken(
  db: DbExecutor,
  params: { projectId: string; name: string; exceptAgentId?: string },
): Promise<boolean> {
  const conditions = [
    eq(agents.projectId, params.projectId),
    isNull(agents.archivedAt),
    sql`lower(${agents.name}) = lower(${params.name})`,
  ];
  if (params.exceptAgentId) conditions.push(sql`${agents.id} <> ${params.exceptAgentId}`);
  const [row] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(...conditions))
    .limit(1);
  return Boolean(row);
}

export async function insertAgentMemory(db: DbExecutor, values: typeof agentMemories.$inferInsert): Promise<AgentMemoryRow> {
  const [row] = await db.insert(agentMemories).values(values).returning();
  if (!row) throw new Error("insert into agent_memories returned no row");
  return row;
}

/** The memories visible to one user of an agent: theirs and the shared ones, newest first. */
export async function listAgentMemories(
  db: DbExecutor,
  params: { projectId: string; agentId: string; userId: string | null; limit: number },
): Promise<AgentMemoryRow[]> {
  const visible = params.userId ? or(isNull(agentMemories.userId), eq(agentMemories.userId, params.userId)) : isNull(agentMemories.userId);
  return db
    .select()
    .from(agentMemories)
    .where(and(eq(agentMemories.projectId, params.projectId), eq(agentMemories.agentId, params.agentId), visible))
    .orderBy(desc(agentMemories.createdAt))
    .limit(params.limit);
}

export async function deleteAgentMemory(
  db: DbExecutor,
  params: { projectId: string; agentId: string; memoryId: string },
): Promise<boolean> {
  const rows = await db
    .delete(agentMemories)
    .where(
      and(eq(agentMemories.projectId, params.projectId), eq(agentMemories.agentId, params.agentId), eq(agentMemories.id, params.memoryId)),
    )
    .returning({ id: agentMemories.id });
  return rows.length > 0;
}

export async function findAgentProfile(
  db: DbExecutor,
  params: { agentId: string; userId: string },
): Promise<Record<string, unknown> | undefined> {
  const [row] = await db
    .select({ data: agentProfiles.data })
    .from(agentProfiles)
    .where(and(eq(agentProfiles.agentId, params.agentId), eq(agentProfiles.userId, params.userId)));
  return row?.data as Record<string, unknown> | undefined;
}

export async function upsertAgentProfile(
  db: DbExecutor,
  params: { projectId: string; agentId: string; userId: string; data: Record<string, unknown> },
): Promise<void> {
  await db
    .insert(agentProfiles)
    .values(params)
    .onConflictDoUpdate({ target: [agentProfiles.agentId, agentProfiles.userId], set: { data: params.data, updatedAt: new Date() } });
}

export async function deleteAgentProfile(db: DbExecutor, params: { projectId: string; agentId: string; userId: string }): Promise<boolean> {
  const rows = await db
    .delete(agentProfiles)
    .where(
      and(
        eq(agentProfiles.projectId, params.projectId),
        eq(agentProfiles.agentId, params.agentId),
        eq(agentProfiles.userId, params.userId),
      ),
    )
    .returning({ agentId: agentProfiles.agentId });
  return rows.length > 0;
}

/** The live (not archived) agent of a project with this name, case-insensitively. */
export async function findLiveAgentByName(db: DbExecutor, params: { projectId: string; name: string }): Promise<AgentRow | undefined> {
  const [row] = await db
    .select()
    .from(agents)
    .where(and(eq(agents.projectId, params.projectId), isNull(agents.archivedAt), sql`lower(${agents.name}) = lower(${params.name})`))
    .limit(1);
  return row;
}
