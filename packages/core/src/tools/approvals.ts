/**
 * Approvals: a call to a tool that needs a person's yes (the tool always does, or the agent lists it in
 * `approvalTools`) pauses its run. The approval is bound to that one call and its exact arguments (a
 * hash of their canonical JSON), decided once (a second decision is refused), spent once when the call
 * runs, and audited. Approving a task's call puts the task back in the queue; a chat continues with
 * `agents.resume`.
 */
import { createHash } from "node:crypto";
import {
  type Database,
  type DbExecutor,
  decideToolApproval,
  findAgentTaskBySession,
  findChatSession,
  findToolApproval,
  listToolApprovals,
  type ToolApprovalRow,
  type Transaction,
  transitionAgentTask,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import type { Actor } from "../projects/projects";

/** JSON with object keys sorted at every level, so equal arguments always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function argumentsHash(args: unknown): string {
  return createHash("sha256").update(canonicalJson(args)).digest("hex");
}

export function toApproval(row: ToolApprovalRow) {
  return {
    id: row.id,
    sessionId: row.sessionId,
    agentId: row.agentId,
    toolCallId: row.toolCallId,
    toolName: row.toolName,
    arguments: row.arguments as Record<string, unknown>,
    status: row.status as "pending" | "approved" | "rejected" | "used",
    reason: row.reason,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    usedAt: row.usedAt,
    createdAt: row.createdAt,
  };
}
export type ToolApproval = ReturnType<typeof toApproval>;

export const ZDecideApprovalInput = z.object({
  approvalId: z.uuid(),
  approve: z.boolean(),
  reason: z.string().trim().max(1000).optional(),
});

export async function decideApproval(
  db: Database,
  actor: Actor,
  input: { projectId: string } & z.input<typeof ZDecideApprovalInput>,
  scheduleTask: (tx: Transaction, taskId: string) => Promise<void>,
): Promise<ToolApproval & { resumed: "task" | "chat" }> {
  const { approvalId, approve, reason } = ZDecideApprovalInput.parse(input);
  return db.transaction(async (tx) => {
    const row = await decideToolApproval(tx, {
      projectId: input.projectId,
      approvalId,
      approve,
      decidedBy: actor.userId,
      reason: reason ?? null,
    });
    if (!row) {
      const existing = await findToolApproval(tx, { projectId: input.projectId, approvalId });
      if (!existing) throw new AppError("NOT_FOUND", "Approval not found");
      throw new AppError("CONFLICT", `This call was already ${existing.status === "used" ? "approved and run" : existing.status}`, {
        status: existing.status,
      });
    }
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: approve ? "tool.approve" : "tool.reject",
      target: row.toolName,
      metadata: {
        approvalId: row.id,
        sessionId: row.sessionId,
        toolCallId: row.toolCallId,
        argumentsHash: row.argumentsHash,
        reason: reason ?? null,
      },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "approvals.changed", {
      approvalId: row.id,
      sessionId: row.sessionId,
      status: row.status as "approved" | "rejected",
    });
    // A task waiting on this approval goes back to the queue; a chat continues when the user resumes it.
    const session = await findChatSession(tx, { projectId: input.projectId, sessionId: row.sessionId });
    let resumed: "task" | "chat" = "chat";
    if (session?.kind === "task") {
      const task = await findAgentTaskBySession(tx, row.sessionId);
      if (task) {
        const queued = await transitionAgentTask(tx, { taskId: task.id, from: ["waiting"], values: { status: "queued" } });
        if (queued) {
          await scheduleTask(tx, task.id);
          await publishEvent(tx, input.projectId, "tasks.changed", { taskId: task.id, agentId: task.agentId, status: "queued" });
        }
      }
      resumed = "task";
    }
    return { ...toApproval(row), resumed };
  });
}

export async function listApprovals(
  db: DbExecutor,
  input: { projectId: string; status?: "pending" | "approved" | "rejected" | "used"; sessionId?: string; limit?: number },
) {
  const rows = await listToolApprovals(db, { ...input, limit: input.limit ?? 100 });
  return rows.map(toApproval);
}
