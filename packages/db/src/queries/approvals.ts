/** Query functions for tool-call approvals. */
import { and, desc, eq, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { toolApprovals } from "../schema";

export type ToolApprovalRow = typeof toolApprovals.$inferSelect;

/** Inserts a pending approval, or returns the one that exists for this call. */
export async function ensureToolApproval(
  db: DbExecutor,
  values: typeof toolApprovals.$inferInsert,
): Promise<{ row: ToolApprovalRow; created: boolean }> {
  const [inserted] = await db.insert(toolApprovals).values(values).onConflictDoNothing().returning();
  if (inserted) return { row: inserted, created: true };
  const [existing] = await db
    .select()
    .from(toolApprovals)
    .where(and(eq(toolApprovals.sessionId, values.sessionId), eq(toolApprovals.toolCallId, values.toolCallId)));
  if (!existing) throw new Error("tool approval vanished between insert and select");
  return { row: existing, created: false };
}

export async function findToolApproval(
  db: DbExecutor,
  params: { projectId: string; approvalId: string },
): Promise<ToolApprovalRow | undefined> {
  const [row] = await db
    .select()
    .from(toolApprovals)
    .where(and(eq(toolApprovals.projectId, params.projectId), eq(toolApprovals.id, params.approvalId)));
  return row;
}

/** Decides a pending approval; undefined when it was not pending (decided before: a replay). */
export async function decideToolApproval(
  db: DbExecutor,
  params: { projectId: string; approvalId: string; approve: boolean; decidedBy: string; reason: string | null },
): Promise<ToolApprovalRow | undefined> {
  const [row] = await db
    .update(toolApprovals)
    .set({ status: params.approve ? "approved" : "rejected", decidedBy: params.decidedBy, decidedAt: new Date(), reason: params.reason })
    .where(and(eq(toolApprovals.projectId, params.projectId), eq(toolApprovals.id, params.approvalId), eq(toolApprovals.status, "pending")))
    .returning();
  return row;
}

/** Spends an approval on the call it was given for; undefined when it is not approved or the arguments differ. */
export async function useToolApproval(
  db: DbExecutor,
  params: { approvalId: string; argumentsHash: string },
): Promise<ToolApprovalRow | undefined> {
  const [row] = await db
    .update(toolApprovals)
    .set({ status: "used", usedAt: new Date() })
    .where(
      and(
        eq(toolApprovals.id, params.approvalId),
        eq(toolApprovals.status, "approved"),
        eq(toolApprovals.argumentsHash, params.argumentsHash),
      ),
    )
    .returning();
  return row;
}

export async function listToolApprovals(db: DbExecutor, params: { projectId: string; status?: string; sessionId?: string; limit: number }) {
  const conditions = [eq(toolApprovals.projectId, params.projectId)];
  if (params.status) conditions.push(eq(toolApprovals.status, params.status));
  if (params.sessionId) conditions.push(eq(toolApprovals.sessionId, params.sessionId));
  return db
    .select()
    .from(toolApprovals)
    .where(and(...conditions))
    .orderBy(desc(toolApprovals.createdAt))
    .limit(params.limit);
}

export async function countPendingApprovals(db: DbExecutor, projectId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(toolApprovals)
    .where(and(eq(toolApprovals.projectId, projectId), eq(toolApprovals.status, "pending")));
  return row?.count ?? 0;
}
