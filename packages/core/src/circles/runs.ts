/**
 * Circle runs as a user drives them: start (from a circle or a conversation), read with the transcript
 * and the task board, post a message members see at the next turn, pause, resume and cancel. Every
 * transition locks the run row; the turn jobs are enqueued in the same transaction through the caller's
 * queue (core does not know Graphile).
 */
import {
  type CircleBoardItemRow,
  type CircleMessageRow,
  type CircleRunRow,
  type Database,
  type DbExecutor,
  findCircle,
  findCircleRun,
  findProjectAgentsByIds,
  insertCircleMessages,
  insertCircleRun,
  listCircleBoardItems,
  listCircleMembers,
  listCircleMessages,
  listCircleRunRows,
  listCircleTurns,
  lockCircleRun,
  type Transaction,
  updateCircleRunRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { decodeCursor, toPage, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { hasControlCharactersInText } from "../validation";
import {
  type CircleRunConfig,
  type CircleRunStatus,
  type CircleStopReason,
  circleRunStatuses,
  ZCircleRunConfig,
  ZCircleRunState,
  ZCircleTask,
  ZCircleTermination,
} from "./definition";

/** Enqueues turn jobs in the caller's transaction; the job key `circle:{runId}:turn:{turn}` makes a repeat a no-op. */
export interface CircleQueue {
  enqueueTurn(tx: DbExecutor, job: { runId: string; turn: number }): Promise<void>;
}

export function toCircleRun(row: CircleRunRow) {
  const config = ZCircleRunConfig.parse(row.config);
  const state = ZCircleRunState.parse(row.state);
  return {
    id: row.id,
    kind: row.kind as "circle" | "conversation",
    circleId: row.circleId,
    conversationId: row.conversationId,
    task: row.task,
    status: row.status as CircleRunStatus,
    stopReason: row.stopReason as CircleStopReason | null,
    turnsCompleted: row.turnsCompleted,
    strategy: config.strategy,
    members: config.members,
    coordinator: config.coordinator,
    termination: config.termination,
    picks: state.picks,
    result: row.result,
    error: row.error,
    origin: row.origin as Record<string, unknown>,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costMicros: row.costMicros,
    timeoutAt: row.timeoutAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
  };
}
export type CircleRun = ReturnType<typeof toCircleRun>;

export function toCircleMessage(row: CircleMessageRow) {
  return {
    id: row.id,
    turnNumber: row.turnNumber,
    authorKind: row.authorKind as "agent" | "user" | "system",
    agentId: row.agentId,
    userId: row.userId,
    content: row.content,
    toolCalls: (row.toolCalls as Array<{ name: string; arguments: unknown; isError: boolean }> | null) ?? null,
    provider: row.provider,
    model: row.model,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costMicros: row.costMicros,
    createdAt: row.createdAt,
  };
}
export type CircleMessage = ReturnType<typeof toCircleMessage>;

export function toBoardItem(row: CircleBoardItemRow) {
  return {
    number: row.number,
    title: row.title,
    description: row.description,
    ownerAgentId: row.ownerAgentId,
    status: row.status as "open" | "in_progress" | "done" | "cancelled",
    result: row.result,
    createdTurn: row.createdTurn,
    updatedAt: row.updatedAt,
  };
}
export type BoardItem = ReturnType<typeof toBoardItem>;

export function publishRunChanged(tx: DbExecutor, row: CircleRunRow) {
  return publishEvent(tx, row.projectId, "circle_runs.changed", {
    runId: row.id,
    circleId: row.circleId,
    conversationId: row.conversationId,
    status: row.status as CircleRunStatus,
    turnsCompleted: row.turnsCompleted,
  });
}

/** Starts a run from a frozen configuration (circles and conversations both end up here). */
export async function insertRunAndFirstTurn(
  tx: Transaction,
  queue: CircleQueue,
  input: {
    projectId: string;
    kind: "circle" | "conversation";
    circleId?: string;
    conversationId?: string;
    config: CircleRunConfig;
    task: string;
    origin: Record<string, unknown>;
    createdBy: string | null;
  },
): Promise<CircleRunRow> {
  const now = new Date();
  const timeoutSeconds = input.config.termination.timeoutSeconds;
  const row = await insertCircleRun(tx, {
    projectId: input.projectId,
    kind: input.kind,
    circleId: input.circleId ?? null,
    conversationId: input.conversationId ?? null,
    config: input.config,
    task: input.task,
    origin: input.origin,
    state: input.config.strategy === "hierarchical" ? { phase: "plan", reviews: 0, picks: [] } : { picks: [] },
    timeoutAt: timeoutSeconds ? new Date(now.getTime() + timeoutSeconds * 1000) : null,
    createdBy: input.createdBy,
    startedAt: now,
  });
  await queue.enqueueTurn(tx, { runId: row.id, turn: 1 });
  await publishRunChanged(tx, row);
  return row;
}

export const ZStartCircleRunInput = z.object({
  circleId: z.uuid(),
  task: ZCircleTask,
  /** Tighter limits for this run only. */
  termination: ZCircleTermination.partial().optional(),
});

export const ZCircleRunOrigin = z.object({
  kind: z.enum(["user", "schedule", "pipeline"]).default("user"),
  id: z.string().max(200).optional(),
});

/**
 * Starts a durable run of the circle on the worker. Exported for schedules' run_task action and
 * pipelines as well as the API: `actor` may be null when no person started it.
 */
export async function startCircleRun(
  db: DbExecutor,
  queue: CircleQueue,
  actor: Actor | null,
  input: {
    projectId: string;
    circleId: string;
    task: string;
    termination?: z.input<typeof ZStartCircleRunInput>["termination"];
    origin?: z.input<typeof ZCircleRunOrigin>;
  },
): Promise<CircleRun> {
  const parsed = ZStartCircleRunInput.safeParse(input);
  if (!parsed.success)
    throw new AppError("VALIDATION_FAILED", parsed.error.issues[0]?.message ?? "Invalid run", { issues: z.treeifyError(parsed.error) });
  const origin = ZCircleRunOrigin.parse(input.origin ?? {});
  return db.transaction(async (tx) => {
    const circle = await findCircle(tx, input);
    if (!circle) throw new AppError("NOT_FOUND", "Circle not found");
    if (circle.archivedAt) throw new AppError("PRECONDITION_FAILED", "This circle is archived");
    const members = await listCircleMembers(tx, [circle.id]);
    const agentIds = [...members.map((member) => member.agentId), ...(circle.coordinatorAgentId ? [circle.coordinatorAgentId] : [])];
    const agents = new Map((await findProjectAgentsByIds(tx, { projectId: input.projectId, agentIds })).map((agent) => [agent.id, agent]));
    for (const id of agentIds) {
      const agent = agents.get(id);
      if (!agent) throw new AppError("PRECONDITION_FAILED", "A member of this circle no longer exists; edit the circle");
      if (agent.archivedAt) throw new AppError("PRECONDITION_FAILED", `The agent "${agent.name}" is archived; edit the circle`);
    }
    if (members.length === 0) throw new AppError("PRECONDITION_FAILED", "This circle has no members");
    if ((circle.strategy === "selector" || circle.strategy === "hierarchical") && !circle.coordinatorAgentId) {
      throw new AppError("PRECONDITION_FAILED", "This circle's coordinator no longer exists; edit the circle");
    }
    const base = ZCircleTermination.parse(circle.termination);
    const override = parsed.data.termination ?? {};
    const termination = ZCircleTermination.parse({
      ...base,
      ...Object.fromEntries(Object.entries(override).filter(([, value]) => value !== undefined)),
    });
    const coordinator = circle.coordinatorAgentId ? agents.get(circle.coordinatorAgentId) : undefined;
    const config: CircleRunConfig = {
      name: circle.name,
      strategy: circle.strategy as CircleRunConfig["strategy"],
      members: members.map((member) => ({
        agentId: member.agentId,
        name: agents.get(member.agentId)?.name ?? "",
        role: member.role || (agents.get(member.agentId)?.role ?? ""),
      })),
      coordinator: coordinator ? { agentId: coordinator.id, name: coordinator.name } : null,
      termination,
      rounds: 1,
    };
    const row = await insertRunAndFirstTurn(tx, queue, {
      projectId: input.projectId,
      kind: "circle",
      circleId: circle.id,
      config,
      task: parsed.data.task,
      origin,
      createdBy: actor?.userId ?? null,
    });
    if (actor)
      await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action: "circle.run", target: row.id, ip: actor.ip });
    return toCircleRun(row);
  });
}

export async function getCircleRun(db: DbExecutor, input: { projectId: string; runId: string }) {
  const row = await findCircleRun(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Run not found");
  const [messages, board, turns] = await Promise.all([
    listCircleMessages(db, row.id),
    listCircleBoardItems(db, row.id),
    listCircleTurns(db, row.id),
  ]);
  return {
    ...toCircleRun(row),
    messages: messages.map(toCircleMessage),
    board: board.map(toBoardItem),
    turns: turns.map((turn) => ({
      turnNumber: turn.turnNumber,
      agentId: turn.agentId,
      purpose: turn.purpose,
      inputTokens: turn.inputTokens,
      outputTokens: turn.outputTokens,
      costMicros: turn.costMicros,
      startedAt: turn.startedAt,
      finishedAt: turn.finishedAt,
    })),
  };
}

export const ZListCircleRunsInput = z.object({
  circleId: z.uuid().optional(),
  conversationId: z.uuid().optional(),
  kind: z.enum(["circle", "conversation"]).optional(),
  /** Only runs in one of these states, e.g. the active ones (running, paused). */
  statuses: z.array(z.enum(circleRunStatuses)).min(1).max(circleRunStatuses.length).optional(),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: ZPageCursor.optional(),
});

export async function listCircleRuns(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListCircleRunsInput>) {
  const options = ZListCircleRunsInput.parse(input);
  const rows = await listCircleRunRows(db, {
    projectId: input.projectId,
    ...(options.circleId ? { circleId: options.circleId } : {}),
    ...(options.conversationId ? { conversationId: options.conversationId } : {}),
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.statuses ? { statuses: options.statuses } : {}),
    limit: options.limit + 1,
    ...(options.cursor ? { cursor: decodeCursor(options.cursor) } : {}),
  });
  return toPage(rows, options.limit, toCircleRun);
}

async function lockForControl(tx: Transaction, input: { projectId: string; runId: string }) {
  const row = await lockCircleRun(tx, input.runId);
  if (!row || row.projectId !== input.projectId) throw new AppError("NOT_FOUND", "Run not found");
  return row;
}

function endedMessage(status: string) {
  return `The run has already ${status === "cancelled" ? "been cancelled" : status === "stopped" ? "stopped" : status}`;
}

export const ZPostCircleMessageInput = z.object({
  runId: z.uuid(),
  content: z
    .string()
    .max(20_000, "Keep a message under 20,000 characters")
    .refine((value) => value.trim().length > 0, "Write a message")
    .refine((value) => !hasControlCharactersInText(value), "Messages cannot contain control characters"),
});

/** A person's message: stored now, seen by the member who speaks at the next turn. */
export async function postCircleMessage(db: Database, actor: Actor, input: { projectId: string; runId: string; content: string }) {
  const content = ZPostCircleMessageInput.shape.content.parse(input.content);
  return db.transaction(async (tx) => {
    const run = await lockForControl(tx, input);
    if (run.status !== "running" && run.status !== "paused") throw new AppError("PRECONDITION_FAILED", endedMessage(run.status));
    const [row] = await insertCircleMessages(tx, [
      {
        runId: run.id,
        projectId: run.projectId,
        turnNumber: run.turnsCompleted + 1,
        authorKind: "user",
        userId: actor.userId,
        content,
        createdAt: new Date(),
      },
    ]);
    if (!row) throw new AppError("INTERNAL", "The message was not stored");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "circle.message",
      target: run.id,
      ip: actor.ip,
    });
    await publishEvent(tx, run.projectId, "circle_messages.added", {
      runId: run.id,
      messageId: row.id,
      turnNumber: row.turnNumber,
      authorKind: "user",
    });
    return toCircleMessage(row);
  });
}

/** Pauses a running run: the turn in flight finishes and is kept; the next one waits for resume. */
export async function pauseCircleRun(db: Database, actor: Actor, input: { projectId: string; runId: string }): Promise<CircleRun> {
  return db.transaction(async (tx) => {
    const run = await lockForControl(tx, input);
    if (run.status !== "running")
      throw new AppError("PRECONDITION_FAILED", run.status === "paused" ? "The run is already paused" : endedMessage(run.status));
    const row = await updateCircleRunRow(tx, { runId: run.id, values: { status: "paused" } });
    if (!row) throw new AppError("NOT_FOUND", "Run not found");
    await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action: "circle.pause", target: run.id, ip: actor.ip });
    await publishRunChanged(tx, row);
    return toCircleRun(row);
  });
}

export async function resumeCircleRun(
  db: Database,
  queue: CircleQueue,
  actor: Actor,
  input: { projectId: string; runId: string },
): Promise<CircleRun> {
  return db.transaction(async (tx) => {
    const run = await lockForControl(tx, input);
    if (run.status !== "paused")
      throw new AppError("PRECONDITION_FAILED", run.status === "running" ? "The run is not paused" : endedMessage(run.status));
    const row = await updateCircleRunRow(tx, { runId: run.id, values: { status: "running" } });
    if (!row) throw new AppError("NOT_FOUND", "Run not found");
    await queue.enqueueTurn(tx, { runId: run.id, turn: run.turnsCompleted + 1 });
    await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action: "circle.resume", target: run.id, ip: actor.ip });
    await publishRunChanged(tx, row);
    return toCircleRun(row);
  });
}

/** The user stop: the run ends now with reason user_stop; a turn in flight is aborted within about a second. */
export async function cancelCircleRun(db: Database, actor: Actor, input: { projectId: string; runId: string }): Promise<CircleRun> {
  return db.transaction(async (tx) => {
    const run = await lockForControl(tx, input);
    if (run.status !== "running" && run.status !== "paused") throw new AppError("PRECONDITION_FAILED", endedMessage(run.status));
    const row = await updateCircleRunRow(tx, {
      runId: run.id,
      values: {
        status: "cancelled",
        stopReason: "user_stop",
        finishedAt: new Date(),
        state: { ...ZCircleRunState.parse(run.state), pending: undefined },
      },
    });
    if (!row) throw new AppError("NOT_FOUND", "Run not found");
    await recordAudit(tx, { projectId: input.projectId, actorUserId: actor.userId, action: "circle.cancel", target: run.id, ip: actor.ip });
    await publishRunChanged(tx, row);
    return toCircleRun(row);
  });
}

export { circleRunStatuses };
