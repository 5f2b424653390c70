/**
 * Background tasks: a piece of work for an agent that runs on the worker, not tied to a chat. The
 * task's transcript is a session of kind "task", so a task resumes where it stopped after a crash: its
 * messages, tool results and usage are already persisted, and a finished answer is never asked for twice.
 */
import {
  type AgentTaskRow,
  type Database,
  type DbExecutor,
  findAgentTask,
  insertAgentTask,
  insertChatMessages,
  insertChatSession,
  listAgentTasks,
  listChatMessages,
  lockAgentTask,
  type Transaction,
  transitionAgentTask,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError, isAppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { decodeCursor, toPage, ZListSearch, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { hasControlCharactersInText } from "../validation";
import { loadAgentForRun } from "./agents";
import { type AgentRuntime, runAgentTurn } from "./runtime";

/** "waiting": paused until a person decides on a tool call (approvals). */
export const taskStatuses = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"] as const;
export type TaskStatus = (typeof taskStatuses)[number];

export const ZTaskInput = z
  .string()
  .max(100_000, "Keep a task under 100,000 characters")
  .refine((value) => value.trim().length > 0, "Describe the task")
  .refine((value) => !hasControlCharactersInText(value), "Tasks cannot contain control characters");

export const ZTaskOrigin = z.object({
  kind: z.enum(["user", "pipeline", "schedule", "circle"]).default("user"),
  id: z.string().max(200).optional(),
});

export function toTask(row: AgentTaskRow) {
  return {
    id: row.id,
    agentId: row.agentId,
    sessionId: row.sessionId,
    status: row.status as TaskStatus,
    input: row.input,
    origin: row.origin as z.infer<typeof ZTaskOrigin>,
    progress: row.progress,
    result: row.result,
    error: row.error,
    attempts: row.attempts,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costMicros: row.costMicros,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
  };
}
export type Task = ReturnType<typeof toTask>;

/** Enqueues the task's job in the same transaction (the caller's queue; core does not know the queue). */
export type ScheduleTask = (tx: Transaction, taskId: string) => Promise<void>;

export async function submitTask(
  db: Database,
  actor: Actor | null,
  input: { projectId: string; agentId: string; input: string; origin?: z.input<typeof ZTaskOrigin> },
  schedule: ScheduleTask,
): Promise<Task> {
  const content = ZTaskInput.parse(input.input);
  const origin = ZTaskOrigin.parse(input.origin ?? {});
  const agent = await loadAgentForRun(db, input);
  return db.transaction(async (tx) => {
    const title = content.replace(/\s+/g, " ").trim().slice(0, 80);
    const session = await insertChatSession(tx, {
      projectId: input.projectId,
      agentId: agent.id,
      userId: actor?.userId ?? null,
      kind: "task",
      title,
    });
    await insertChatMessages(tx, [{ sessionId: session.id, projectId: input.projectId, role: "user", content }]);
    const row = await insertAgentTask(tx, {
      projectId: input.projectId,
      agentId: agent.id,
      sessionId: session.id,
      createdBy: actor?.userId ?? null,
      input: content,
      origin,
    });
    await schedule(tx, row.id);
    await publishEvent(tx, input.projectId, "tasks.changed", { taskId: row.id, agentId: agent.id, status: "queued" });
    return toTask(row);
  });
}

export async function getTask(db: DbExecutor, input: { projectId: string; taskId: string }): Promise<Task> {
  const row = await findAgentTask(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Task not found");
  return toTask(row);
}

export const ZListTasksInput = z.object({
  agentId: z.uuid().optional(),
  status: z.enum(taskStatuses).optional(),
  /** Part of what the agent was asked to do. */
  search: ZListSearch.optional(),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: ZPageCursor.optional(),
});

export async function listTasks(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListTasksInput>) {
  const options = ZListTasksInput.parse(input);
  const rows = await listAgentTasks(db, {
    projectId: input.projectId,
    ...(options.agentId ? { agentId: options.agentId } : {}),
    ...(options.status ? { status: options.status } : {}),
    ...(options.search ? { search: options.search } : {}),
    limit: options.limit + 1,
    ...(options.cursor ? { cursor: decodeCursor(options.cursor) } : {}),
  });
  return toPage(rows, options.limit, toTask);
}

/** Cancels a queued or running task; a running one stops at its next check (within about a second). */
export async function cancelTask(db: Database, actor: Actor, input: { projectId: string; taskId: string }): Promise<Task> {
  return db.transaction(async (tx) => {
    const current = await findAgentTask(tx, input);
    if (!current) throw new AppError("NOT_FOUND", "Task not found");
    const row = await transitionAgentTask(tx, {
      taskId: current.id,
      from: ["queued", "running"],
      values: { status: "cancelled", finishedAt: new Date() },
    });
    if (!row)
      throw new AppError(
        "PRECONDITION_FAILED",
        `The task has already ${current.status === "cancelled" ? "been cancelled" : current.status}`,
      );
    await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action: "task.cancel", target: row.id, ip: actor.ip });
    await publishEvent(tx, input.projectId, "tasks.changed", { taskId: row.id, agentId: row.agentId, status: "cancelled" });
    return toTask(row);
  });
}

async function finish(db: Database, task: AgentTaskRow, values: Partial<AgentTaskRow> & { status: TaskStatus }) {
  await db.transaction(async (tx) => {
    const row = await transitionAgentTask(tx, { taskId: task.id, from: ["running"], values: { ...values, finishedAt: new Date() } });
    if (row) await publishEvent(tx, task.projectId, "tasks.changed", { taskId: row.id, agentId: row.agentId, status: values.status });
  });
}

/**
 * The worker's part. Idempotent: a finished or cancelled task is left alone; a task whose transcript
 * already ends with the agent's final answer (a crash between answer and status) is completed from it.
 * Throws only for failures worth another attempt; everything else ends the task as failed.
 */
export async function executeTask(
  runtime: AgentRuntime,
  input: { taskId: string; attempt: number; maxAttempts: number; signal: AbortSignal; cancelPollMs?: number },
): Promise<TaskStatus> {
  const { db } = runtime;
  const task = await db.transaction(async (tx) => {
    const row = await lockAgentTask(tx, input.taskId);
    if (!row || (row.status !== "queued" && row.status !== "running")) return row;
    const moved = await transitionAgentTask(tx, {
      taskId: row.id,
      from: ["queued", "running"],
      values: { status: "running", attempts: row.attempts + 1, startedAt: row.startedAt ?? new Date(), error: null },
    });
    if (moved && row.status === "queued")
      await publishEvent(tx, row.projectId, "tasks.changed", { taskId: row.id, agentId: row.agentId, status: "running" });
    return moved;
  });
  if (!task) return "cancelled";
  if (task.status !== "running") return task.status as TaskStatus;

  const transcript = await listChatMessages(db, { sessionId: task.sessionId });
  const last = transcript.at(-1);
  const totals = () => {
    let inputTokens = 0;
    let outputTokens = 0;
    let cost = 0;
    for (const message of transcript) {
      inputTokens += message.inputTokens;
      outputTokens += message.outputTokens;
      cost += message.costMicros;
    }
    return { inputTokens, outputTokens, costMicros: cost };
  };
  if (last?.role === "assistant" && !last.toolCalls) {
    await finish(db, task, { status: "succeeded", result: last.content, progress: 1, ...totals() });
    return "succeeded";
  }

  // Cancellation reaches the running turn through this controller.
  const controller = new AbortController();
  const onShutdown = () => controller.abort(input.signal.reason);
  input.signal.addEventListener("abort", onShutdown, { once: true });
  const poll = setInterval(() => {
    findAgentTask(db, { projectId: task.projectId, taskId: task.id })
      .then((row) => {
        if (row?.status === "cancelled") controller.abort(new AppError("BAD_REQUEST", "The task was cancelled"));
      })
      .catch(() => {});
  }, input.cancelPollMs ?? 1000);
  try {
    const agent = await loadAgentForRun(db, { projectId: task.projectId, agentId: task.agentId });
    const outcome = await runAgentTurn(runtime, {
      agent,
      sessionId: task.sessionId,
      userId: task.createdBy,
      runKind: "task",
      runId: task.id,
      stream: false,
      signal: controller.signal,
    });
    if (outcome.stop === "approval_required") {
      await db.transaction(async (tx) => {
        const row = await transitionAgentTask(tx, { taskId: task.id, from: ["running"], values: { status: "waiting" } });
        if (row) await publishEvent(tx, task.projectId, "tasks.changed", { taskId: row.id, agentId: row.agentId, status: "waiting" });
      });
      return "waiting";
    }
    const answer = outcome.messages.findLast((message) => message.role === "assistant");
    const all = await listChatMessages(db, { sessionId: task.sessionId });
    transcript.splice(0, transcript.length, ...all);
    await finish(db, task, {
      status: "succeeded",
      result: outcome.stop === "end" ? (answer?.content ?? "") : `${answer?.content ?? ""}\n\n[stopped at the step limit]`.trim(),
      progress: 1,
      ...totals(),
    });
    return "succeeded";
  } catch (error) {
    const current = await findAgentTask(db, { projectId: task.projectId, taskId: task.id });
    if (current?.status === "cancelled") return "cancelled";
    if (input.signal.aborted) throw error;
    const retryable = isAppError(error) && error.code === "UNAVAILABLE" && input.attempt < input.maxAttempts;
    if (retryable) throw error;
    const all = await listChatMessages(db, { sessionId: task.sessionId });
    transcript.splice(0, transcript.length, ...all);
    await finish(db, task, {
      status: "failed",
      error: isAppError(error) ? `${error.code}: ${error.message}` : "The task failed unexpectedly",
      ...totals(),
    });
    if (!isAppError(error)) runtime.logger.error({ err: error, taskId: task.id }, "task failed");
    return "failed";
  } finally {
    clearInterval(poll);
    input.signal.removeEventListener("abort", onShutdown);
  }
}
