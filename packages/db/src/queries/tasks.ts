/** Query functions for background agent tasks. */
import { and, desc, eq, ilike, inArray, lt, or, type SQL } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { agentTasks } from "../schema";
import { containsPattern } from "./search";

export type AgentTaskRow = typeof agentTasks.$inferSelect;
export const activeTaskStatuses = ["queued", "running"] as const;

export async function insertAgentTask(db: DbExecutor, values: typeof agentTasks.$inferInsert): Promise<AgentTaskRow> {
  const [row] = await db.insert(agentTasks).values(values).returning();
  if (!row) throw new Error("insert into agent_tasks returned no row");
  return row;
}

export async function findAgentTask(db: DbExecutor, params: { projectId: string; taskId: string }): Promise<AgentTaskRow | undefined> {
  const [row] = await db
    .select()
    .from(agentTasks)
    .where(and(eq(agentTasks.projectId, params.projectId), eq(agentTasks.id, params.taskId)));
  return row;
}

export async function lockAgentTask(db: DbExecutor, taskId: string): Promise<AgentTaskRow | undefined> {
  const [row] = await db.select().from(agentTasks).where(eq(agentTasks.id, taskId)).for("update");
  return row;
}

export async function listAgentTasks(
  db: DbExecutor,
  params: {
    projectId: string;
    agentId?: string;
    status?: string;
    search?: string;
    limit: number;
    cursor?: { createdAt: Date; id: string };
  },
): Promise<AgentTaskRow[]> {
  const conditions: SQL[] = [eq(agentTasks.projectId, params.projectId)];
  if (params.agentId) conditions.push(eq(agentTasks.agentId, params.agentId));
  if (params.status) conditions.push(eq(agentTasks.status, params.status));
  if (params.search) conditions.push(ilike(agentTasks.input, containsPattern(params.search)));
  if (params.cursor) {
    const before = or(
      lt(agentTasks.createdAt, params.cursor.createdAt),
      and(eq(agentTasks.createdAt, params.cursor.createdAt), lt(agentTasks.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select()
    .from(agentTasks)
    .where(and(...conditions))
    .orderBy(desc(agentTasks.createdAt), desc(agentTasks.id))
    .limit(params.limit);
}

/** Moves a task on only from the states given; returns the row when it moved. */
export async function transitionAgentTask(
  db: DbExecutor,
  params: { taskId: string; from: readonly string[]; values: Partial<typeof agentTasks.$inferInsert> },
): Promise<AgentTaskRow | undefined> {
  const [row] = await db
    .update(agentTasks)
    .set({ ...params.values, updatedAt: new Date() })
    .where(and(eq(agentTasks.id, params.taskId), inArray(agentTasks.status, [...params.from])))
    .returning();
  return row;
}

export async function findAgentTaskBySession(db: DbExecutor, sessionId: string): Promise<AgentTaskRow | undefined> {
  const [row] = await db.select().from(agentTasks).where(eq(agentTasks.sessionId, sessionId));
  return row;
}
