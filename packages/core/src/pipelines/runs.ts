/**
 * Pipeline runs: start (the run, its node rows and the ready nodes' jobs in one transaction), settle a
 * finished node (fan-in counts, skipped branches, successors enqueued, the run finished) in the same
 * transaction that records its output, cancel, time out, approve, rerun from a node, and read them.
 *
 * Lock order, everywhere: the run row first, then node rows. Finishing a node locks its run, so the
 * last two nodes of a run cannot both miss that the run is done.
 */
import {
  addPipelineRunUsage,
  countDownPredecessors,
  countOffFinishedNodes,
  type Database,
  type DbExecutor,
  findNodeRun,
  findPipeline,
  findPipelineRun,
  findPipelineVersion,
  findPipelineVersionById,
  findRunByIdempotencyKey,
  insertPipelineNodeRuns,
  insertPipelineRun,
  listActiveChildRuns,
  listNodeOutputs,
  listNodeRuns,
  listPipelineRunRows,
  lockIdempotencyKey,
  lockNodeRun,
  lockPipelineRun,
  notifyPipelineCancel,
  type PipelineNodeRunRow,
  type PipelineRunRow,
  transitionAgentTask,
  transitionNodesById,
  transitionRunNodes,
  updateNodeRun,
  updatePipelineRunRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent, publishEvents } from "../events/catalog";
import { decodeCursor, toPage, ZListSearch, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { type PipelineDefinition, runInputsSchema } from "./definition";
import { cachedGraph, descendantsOf, graphOfVersion, isEdgeTaken, type PipelineGraph } from "./graph";

/** The job queue as the engine needs it; @gathering/jobs implements it on Graphile Worker. */
export interface PipelineQueue {
  /** Enqueues (or moves) the node's job, keyed `run:{runId}:{nodeId}`, in the caller's transaction. */
  enqueueNodes(tx: DbExecutor, jobs: ReadonlyArray<{ runId: string; nodeId: string; runAt?: Date }>): Promise<void>;
  /** Removes the nodes' jobs that have not started. */
  removeNodeJobs(tx: DbExecutor, job: { runId: string; nodeIds: readonly string[] }): Promise<void>;
  enqueueRunTimeout(tx: DbExecutor, job: { runId: string; at: Date }): Promise<void>;
  /** How a node's job is spelled, for statements that add node jobs themselves (finishNodeAtOnce). */
  nodeJob?: { identifier: string; maxAttempts: number; keyPrefix: (runId: string) => string };
}

export const runStatuses = ["running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof runStatuses)[number];
export const nodeStatuses = ["pending", "queued", "running", "waiting", "succeeded", "failed", "skipped", "cancelled"] as const;
export type NodeStatus = (typeof nodeStatuses)[number];

export const ZRunOrigin = z.object({
  kind: z.enum(["user", "schedule", "rerun", "subpipeline", "map", "api", "agent", "mcp"]).default("user"),
  id: z.string().max(200).optional(),
  /** How deep subpipelines nest; refused past maxRunDepth so a pipeline cannot start itself forever. */
  depth: z.number().int().min(0).default(0),
  fromNodeId: z.string().max(64).optional(),
  /** A map node's item: its position in the list. */
  itemIndex: z.number().int().min(0).optional(),
  /** Set by callers that may retry a start (a tool call, an MCP request): the same key starts one run. */
  idempotencyKey: z.string().min(1).max(300).optional(),
});
export type RunOrigin = z.output<typeof ZRunOrigin>;
export const maxRunDepth = 5;

export function toPipelineRun(row: PipelineRunRow) {
  return {
    id: row.id,
    projectId: row.projectId,
    pipelineId: row.pipelineId,
    version: row.version,
    status: row.status as RunStatus,
    inputs: row.inputs as Record<string, unknown>,
    output: row.output as Record<string, unknown> | null,
    error: row.error,
    origin: row.origin as RunOrigin,
    parentRunId: row.parentRunId,
    parentNodeId: row.parentNodeId,
    timeoutAt: row.timeoutAt,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costMicros: row.costMicros,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
  };
}
export type PipelineRun = ReturnType<typeof toPipelineRun>;

export function toNodeRun(row: PipelineNodeRunRow) {
  return {
    nodeId: row.nodeId,
    type: row.nodeType,
    status: row.status as NodeStatus,
    attempts: row.attempts,
    input: row.input,
    output: row.output,
    error: row.error,
    branch: row.branch,
    state: row.state as Record<string, unknown>,
    reusedFromRunId: row.reusedFromRunId,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costMicros: row.costMicros,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.startedAt && row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null,
  };
}
export type NodeRun = ReturnType<typeof toNodeRun>;

/** The graph of a run's version (cached per process: versions never change). */
export async function loadRunGraph(db: DbExecutor, versionId: string): Promise<PipelineGraph> {
  const known = cachedGraph(versionId);
  if (known) return known;
  const row = await findPipelineVersionById(db, versionId);
  if (!row) throw new AppError("NOT_FOUND", "The run's pipeline version does not exist");
  return graphOfVersion(versionId, () => row.definition as PipelineDefinition);
}

async function publishNode(tx: DbExecutor, run: PipelineRunRow, node: { nodeId: string; status: string; attempts: number }) {
  await publishNodes(tx, run, [node]);
}

async function publishNodes(
  tx: DbExecutor,
  run: PipelineRunRow,
  nodes: ReadonlyArray<{ nodeId: string; status: string; attempts: number }>,
) {
  await publishEvents(
    tx,
    run.projectId,
    "pipeline_nodes.changed",
    nodes.map((node) => ({ runId: run.id, nodeId: node.nodeId, status: node.status as NodeStatus, attempts: node.attempts })),
  );
}

async function publishRun(tx: DbExecutor, run: PipelineRunRow) {
  await publishEvent(tx, run.projectId, "pipeline_runs.changed", {
    runId: run.id,
    pipelineId: run.pipelineId,
    status: run.status as RunStatus,
  });
}

export interface SettleContext {
  tx: DbExecutor;
  queue: PipelineQueue;
  run: PipelineRunRow;
  graph: PipelineGraph;
  /** Nodes that reached an end state in this transaction (counted off the run's total at the end). */
  finishedNodes: number;
  /** Node events and jobs of this transaction, written together by commitSettle (one round trip). */
  events: Array<{ nodeId: string; status: string; attempts: number }>;
  jobs: Array<{ runId: string; nodeId: string; runAt?: Date }>;
}

export function settleContext(tx: DbExecutor, queue: PipelineQueue, run: PipelineRunRow, graph: PipelineGraph): SettleContext {
  return { tx, queue, run, graph, finishedNodes: 0, events: [], jobs: [] };
}

/**
 * Records that a node finished to each successor: one statement counts the predecessor off every
 * successor and queues those whose count reaches zero with a taken edge in. Successors left with no
 * taken edge are skipped, and their successors counted down in turn.
 */
async function countDownSuccessors(context: SettleContext, nodeId: string, outcome: { isSuccess: boolean; branch: string | null }) {
  const edges = context.graph.outgoing.get(nodeId) ?? [];
  if (edges.length === 0) return;
  const counted = await countDownPredecessors(context.tx, {
    runId: context.run.id,
    targets: edges.map((edge) => ({ nodeId: edge.to, isActive: outcome.isSuccess && isEdgeTaken(edge, outcome.branch) })),
  });
  for (const target of counted) {
    if (target.status === "queued" && target.wasQueued) {
      context.events.push({ nodeId: target.nodeId, status: "queued", attempts: 0 });
      context.jobs.push({ runId: context.run.id, nodeId: target.nodeId });
    }
  }
  const skipped = counted
    .filter((target) => target.pendingPredecessors === 0 && target.status === "pending")
    .map((target) => target.nodeId);
  await skipNodes(context, skipped);
}

async function skipNodes(context: SettleContext, nodeIds: readonly string[]) {
  if (nodeIds.length === 0) return;
  const rows = await transitionNodesById(context.tx, {
    runId: context.run.id,
    nodeIds,
    from: ["pending"],
    values: { status: "skipped", finishedAt: new Date() },
  });
  context.finishedNodes += rows.length;
  for (const row of rows) {
    context.events.push(row);
    await countDownSuccessors(context, row.nodeId, { isSuccess: false, branch: null });
  }
}

/** Nodes decided when a run starts: those with no pending predecessors are queued, or skipped when no edge in was taken. */
async function decideNodes(context: SettleContext, decided: ReadonlyArray<{ nodeId: string; activeInputs: number }>): Promise<void> {
  const ready: string[] = [];
  const skipped: string[] = [];
  for (const target of decided) {
    const hasInputs = (context.graph.incoming.get(target.nodeId)?.length ?? 0) > 0;
    (target.activeInputs > 0 || !hasInputs ? ready : skipped).push(target.nodeId);
  }
  await skipNodes(context, skipped);
  if (ready.length === 0) return;
  const rows = await transitionNodesById(context.tx, {
    runId: context.run.id,
    nodeIds: ready,
    from: ["pending"],
    values: { status: "queued" },
  });
  for (const row of rows) {
    context.events.push(row);
    context.jobs.push({ runId: context.run.id, nodeId: row.nodeId });
  }
}

/**
 * Writes what the transaction decided, in one round trip: the jobs of queued nodes, the node events,
 * and the finished nodes counted off the run. The last node finishes the run and wakes a waiting parent.
 */
export async function commitSettle(context: SettleContext): Promise<void> {
  const { tx, run } = context;
  const events = context.events.splice(0);
  const jobs = context.jobs.splice(0);
  const finished = context.finishedNodes;
  context.finishedNodes = 0;
  const [, , left] = await Promise.all([
    jobs.length > 0 ? context.queue.enqueueNodes(tx, jobs) : Promise.resolve(),
    events.length > 0
      ? publishEvents(
          tx,
          run.projectId,
          "pipeline_nodes.changed",
          events.map((node) => ({ runId: run.id, nodeId: node.nodeId, status: node.status as NodeStatus, attempts: node.attempts })),
        )
      : Promise.resolve([]),
    finished > 0 ? countOffFinishedNodes(tx, { runId: run.id, finished }) : Promise.resolve(run.unfinishedNodes),
  ]);
  if (left > 0 || run.status !== "running") return;
  const sinks = await listNodeOutputs(tx, { runId: run.id, nodeIds: context.graph.sinks });
  const output: Record<string, unknown> = {};
  for (const sink of sinks) if (sink.status === "succeeded") output[sink.nodeId] = sink.output;
  const row = await updatePipelineRunRow(tx, {
    runId: run.id,
    from: ["running"],
    values: { status: "succeeded", output, finishedAt: new Date() },
  });
  if (!row) return;
  await publishRun(tx, row);
  await wakeParent(tx, context.queue, row);
}

/**
 * Completes a run whose every node has finished, if nobody did yet: what follows a one-statement node
 * finish that left no node to do, and what a repeated job does to heal a crash in between.
 */
export async function completeRunIfDone(db: Database, queue: PipelineQueue, runId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const run = await lockPipelineRun(tx, runId);
    if (run?.status !== "running" || run.unfinishedNodes > 0) return false;
    const graph = await loadRunGraph(tx, run.versionId);
    await commitSettle(settleContext(tx, queue, run, graph));
    return true;
  });
}

async function wakeParent(tx: DbExecutor, queue: PipelineQueue, run: PipelineRunRow) {
  if (run.parentRunId && run.parentNodeId) await queue.enqueueNodes(tx, [{ runId: run.parentRunId, nodeId: run.parentNodeId }]);
}

/**
 * Records how a node ended and moves the run on, in the caller's transaction (which holds the run's
 * lock). `claim` carries what an inline node's claim did not write (it goes from queued to done here).
 */
export async function settleNode(
  context: SettleContext,
  nodeId: string,
  outcome:
    | { status: "succeeded"; output: unknown; branch: string | null }
    | { status: "failed"; error: string; policy: "fail" | "continue" | "branch" },
  usage: { inputTokens: number; outputTokens: number; costMicros: number } = { inputTokens: 0, outputTokens: 0, costMicros: 0 },
  claim?: { attempts: number; startedAt: Date; input: unknown },
): Promise<void> {
  const { tx, run } = context;
  const values =
    outcome.status === "succeeded"
      ? { status: "succeeded", output: outcome.output ?? null, branch: outcome.branch, error: null }
      : {
          status: "failed",
          error: outcome.error,
          output: outcome.policy === "fail" ? null : { error: outcome.error },
          branch: outcome.policy === "branch" ? "error" : null,
        };
  const isFatal = outcome.status === "failed" && outcome.policy === "fail";
  const branch = values.branch;
  // The node's row and its successors' counts are independent statements: sent together.
  const [row] = await Promise.all([
    updateNodeRun(tx, {
      runId: run.id,
      nodeId,
      from: claim ? ["queued", "running", "waiting"] : ["running", "waiting"],
      values: { ...values, finishedAt: new Date(), ...usage, ...(claim ?? {}) },
    }),
    usage.inputTokens || usage.outputTokens || usage.costMicros ? addPipelineRunUsage(tx, { runId: run.id, ...usage }) : Promise.resolve(),
    isFatal ? Promise.resolve() : countDownSuccessors(context, nodeId, { isSuccess: true, branch }),
  ]);
  if (!row) throw new AppError("CONFLICT", `Node "${nodeId}" moved while it was being finished`);
  context.events.push(row);
  context.finishedNodes += 1;
  if (isFatal) {
    await commitSettle({ ...context, finishedNodes: 0, jobs: [] });
    await endRun(tx, context.queue, run, { status: "failed", error: `Node "${nodeId}" failed: ${outcome.error}` });
    return;
  }
  await commitSettle(context);
}

/**
 * Ends a running run as failed or cancelled: nodes not started are cancelled and their jobs removed,
 * running ones are told through NOTIFY (their AbortSignal fires) and their agent tasks cancelled,
 * child runs end the same way, and a waiting parent node is woken.
 */
export async function endRun(
  tx: DbExecutor,
  queue: PipelineQueue,
  run: PipelineRunRow,
  outcome: { status: "failed" | "cancelled"; error: string },
): Promise<PipelineRunRow | undefined> {
  const ended = await updatePipelineRunRow(tx, {
    runId: run.id,
    from: ["running"],
    values: { status: outcome.status, error: outcome.error, finishedAt: new Date() },
  });
  if (!ended) return undefined;
  const stopped = await transitionRunNodes(tx, {
    runId: run.id,
    from: ["pending", "queued", "waiting"],
    values: { status: "cancelled", finishedAt: new Date() },
  });
  await queue.removeNodeJobs(tx, {
    runId: run.id,
    nodeIds: stopped.filter((node) => node.status === "cancelled").map((node) => node.nodeId),
  });
  const running = (await listNodeRuns(tx, run.id)).filter((node) => node.status === "running");
  for (const node of [...stopped, ...running]) {
    const taskId = (node.state as { taskId?: string }).taskId;
    if (node.nodeType === "agent" && taskId) {
      await transitionAgentTask(tx, {
        taskId,
        from: ["queued", "running", "waiting"],
        values: { status: "cancelled", finishedAt: new Date() },
      });
    }
  }
  for (const node of stopped) await publishNode(tx, ended, node);
  for (const child of await listActiveChildRuns(tx, run.id)) {
    const locked = await lockPipelineRun(tx, child.id);
    if (locked?.status === "running") await endRun(tx, queue, locked, { status: "cancelled", error: "The parent run ended" });
  }
  await notifyPipelineCancel(tx, run.id);
  await publishRun(tx, ended);
  await wakeParent(tx, queue, ended);
  return ended;
}

export const ZStartRunInput = z.object({
  pipelineId: z.uuid(),
  /** Defaults to the newest version. */
  version: z.number().int().min(1).optional(),
  inputs: z.record(z.string(), z.unknown()).default({}),
});

interface StartRunParams {
  projectId: string;
  pipelineId: string;
  version?: number;
  inputs: Record<string, unknown>;
  origin: RunOrigin;
  createdBy: string | null;
  parent?: { runId: string; nodeId: string };
  /** rerunFrom: nodes whose earlier rows are carried over as they ended. */
  reuse?: { runId: string; nodes: ReadonlyMap<string, PipelineNodeRunRow> };
}

function describeInputIssues(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) =>
        `${issue.path.length ? issue.path.join(".") : "inputs"}: ${issue.code === "unrecognized_keys" ? `unknown input ${(issue as { keys?: string[] }).keys?.join(", ")}` : issue.message}`,
    )
    .join("; ");
}

/** Starts a run in the caller's transaction; used by startPipelineRun, subpipeline and map nodes, and rerunFrom. */
export async function startRunInTransaction(tx: DbExecutor, queue: PipelineQueue, params: StartRunParams): Promise<PipelineRunRow> {
  if (params.origin.depth > maxRunDepth) {
    throw new AppError("PRECONDITION_FAILED", `Pipelines nest at most ${maxRunDepth} deep; does a pipeline start itself?`);
  }
  const pipeline = await findPipeline(tx, { projectId: params.projectId, pipelineId: params.pipelineId });
  if (!pipeline) throw new AppError("NOT_FOUND", "Pipeline not found");
  if (pipeline.archivedAt && !params.reuse) throw new AppError("PRECONDITION_FAILED", `The pipeline "${pipeline.name}" is archived`);
  const versionRow = await findPipelineVersion(tx, { pipelineId: pipeline.id, version: params.version ?? pipeline.currentVersion });
  if (!versionRow) throw new AppError("NOT_FOUND", `Version ${params.version} of the pipeline does not exist`);
  const graph = graphOfVersion(versionRow.id, () => versionRow.definition as PipelineDefinition);
  const parsedInputs = runInputsSchema(graph.definition.inputs).safeParse(params.inputs);
  if (!parsedInputs.success) {
    throw new AppError("VALIDATION_FAILED", `Invalid run inputs: ${describeInputIssues(parsedInputs.error)}`, {
      issues: z.treeifyError(parsedInputs.error),
    });
  }
  const timeoutAt = graph.definition.timeoutMs ? new Date(Date.now() + graph.definition.timeoutMs) : null;
  const reusedCount = graph.definition.nodes.filter((node) => params.reuse?.nodes.has(node.id)).length;
  const run = await insertPipelineRun(tx, {
    unfinishedNodes: graph.definition.nodes.length - reusedCount,
    projectId: params.projectId,
    pipelineId: pipeline.id,
    versionId: versionRow.id,
    version: versionRow.version,
    inputs: parsedInputs.data,
    origin: params.origin,
    createdBy: params.createdBy,
    timeoutAt,
    ...(params.parent ? { parentRunId: params.parent.runId, parentNodeId: params.parent.nodeId } : {}),
  });

  const reused = params.reuse?.nodes ?? new Map<string, PipelineNodeRunRow>();
  const rows = graph.definition.nodes.map((node) => {
    const incoming = graph.incoming.get(node.id) ?? [];
    const earlier = reused.get(node.id);
    if (earlier) {
      return {
        runId: run.id,
        projectId: params.projectId,
        nodeId: node.id,
        nodeType: node.type,
        status: earlier.status,
        pendingPredecessors: 0,
        input: earlier.input,
        output: earlier.output,
        branch: earlier.branch,
        error: earlier.error,
        attempts: earlier.attempts,
        reusedFromRunId: params.reuse?.runId ?? null,
        startedAt: earlier.startedAt,
        finishedAt: earlier.finishedAt,
      };
    }
    let pending = 0;
    let active = 0;
    for (const edge of incoming) {
      const source = reused.get(edge.from);
      if (!source) pending += 1;
      else if (source.status === "succeeded" && isEdgeTaken(edge, source.branch)) active += 1;
    }
    return {
      runId: run.id,
      projectId: params.projectId,
      nodeId: node.id,
      nodeType: node.type,
      pendingPredecessors: pending,
      activeInputs: active,
    };
  });
  const inserted = await insertPipelineNodeRuns(tx, rows);
  const context = settleContext(tx, queue, run, graph);
  const decided = inserted.filter((row) => row.status === "pending" && row.pendingPredecessors === 0);
  await decideNodes(context, decided);
  if (timeoutAt) await queue.enqueueRunTimeout(tx, { runId: run.id, at: timeoutAt });
  await publishRun(tx, run);
  await commitSettle(context);
  return run;
}

export async function startPipelineRun(
  db: Database,
  queue: PipelineQueue,
  actor: Actor | null,
  input: { projectId: string; origin?: z.input<typeof ZRunOrigin> } & z.input<typeof ZStartRunInput>,
): Promise<PipelineRun> {
  const parsed = ZStartRunInput.parse(input);
  const origin = ZRunOrigin.parse(input.origin ?? {});
  return db.transaction(async (tx) => {
    if (origin.idempotencyKey) {
      // One start per key, also when two arrive at once: the second waits here and finds the first's run.
      await lockIdempotencyKey(tx, `pipeline-run:${input.projectId}:${origin.idempotencyKey}`);
      const earlier = await findRunByIdempotencyKey(tx, { projectId: input.projectId, key: origin.idempotencyKey });
      if (earlier) return toPipelineRun(earlier);
    }
    const run = await startRunInTransaction(tx, queue, {
      projectId: input.projectId,
      pipelineId: parsed.pipelineId,
      ...(parsed.version !== undefined ? { version: parsed.version } : {}),
      inputs: parsed.inputs,
      origin,
      createdBy: actor?.userId ?? null,
    });
    if (actor) {
      await recordAudit(tx, {
        projectId: input.projectId,
        actorUserId: actor.userId,
        action: "pipeline.run",
        target: run.id,
        ip: actor.ip,
      });
    }
    return toPipelineRun((await findPipelineRun(tx, { projectId: input.projectId, runId: run.id })) ?? run);
  });
}

export const ZRerunFromInput = z.object({
  runId: z.uuid(),
  nodeId: z.string().min(1).max(64),
  /** Replaces some of the earlier run's inputs. */
  inputOverrides: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A new run of the same version that carries over every node not downstream of `nodeId` as it ended
 * (outputs reused, nothing executed again), and runs that node and everything after it.
 */
export async function rerunPipelineFrom(
  db: Database,
  queue: PipelineQueue,
  actor: Actor,
  input: { projectId: string } & z.input<typeof ZRerunFromInput>,
): Promise<PipelineRun> {
  const parsed = ZRerunFromInput.parse(input);
  return db.transaction(async (tx) => {
    const source = await findPipelineRun(tx, { projectId: input.projectId, runId: parsed.runId });
    if (!source) throw new AppError("NOT_FOUND", "Run not found");
    if (source.status === "running") throw new AppError("PRECONDITION_FAILED", "The run is still running; cancel it or wait for it to end");
    const graph = await loadRunGraph(tx, source.versionId);
    if (!graph.nodes.has(parsed.nodeId)) throw new AppError("NOT_FOUND", `The run's pipeline has no node "${parsed.nodeId}"`);
    const rerun = descendantsOf(graph, parsed.nodeId);
    const earlier = await listNodeRuns(tx, source.id);
    const reuse = new Map(
      earlier
        .filter((node) => !rerun.has(node.nodeId) && (node.status === "succeeded" || node.status === "skipped"))
        .map((node) => [node.nodeId, node]),
    );
    const run = await startRunInTransaction(tx, queue, {
      projectId: input.projectId,
      pipelineId: source.pipelineId,
      version: source.version,
      inputs: { ...(source.inputs as Record<string, unknown>), ...parsed.inputOverrides },
      origin: { kind: "rerun", id: source.id, depth: 0, fromNodeId: parsed.nodeId },
      createdBy: actor.userId,
      reuse: { runId: source.id, nodes: reuse },
    });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "pipeline.run",
      target: run.id,
      ip: actor.ip,
      metadata: { rerunOf: source.id, fromNodeId: parsed.nodeId },
    });
    return toPipelineRun((await findPipelineRun(tx, { projectId: input.projectId, runId: run.id })) ?? run);
  });
}

export async function cancelPipelineRun(
  db: Database,
  queue: PipelineQueue,
  actor: Actor,
  input: { projectId: string; runId: string },
): Promise<PipelineRun> {
  return db.transaction(async (tx) => {
    const current = await findPipelineRun(tx, input);
    if (!current) throw new AppError("NOT_FOUND", "Run not found");
    const locked = await lockPipelineRun(tx, current.id);
    if (locked?.status !== "running") {
      throw new AppError(
        "PRECONDITION_FAILED",
        `The run has already ${locked?.status === "cancelled" ? "been cancelled" : locked?.status}`,
      );
    }
    const ended = await endRun(tx, queue, locked, { status: "cancelled", error: "Cancelled by a user" });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "pipeline.cancel",
      target: current.id,
      ip: actor.ip,
    });
    return toPipelineRun(ended ?? locked);
  });
}

/** The run-timeout job: a run still going at its deadline fails with reason timeout. */
export async function timeOutPipelineRun(db: Database, queue: PipelineQueue, runId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const run = await lockPipelineRun(tx, runId);
    if (run?.status !== "running" || !run.timeoutAt) return false;
    if (run.timeoutAt.getTime() > Date.now() + 1_000) {
      await queue.enqueueRunTimeout(tx, { runId, at: run.timeoutAt });
      return false;
    }
    const ms = run.timeoutAt.getTime() - run.startedAt.getTime();
    return Boolean(await endRun(tx, queue, run, { status: "failed", error: `TIMEOUT: the run took longer than ${ms} ms` }));
  });
}

export const ZDecidePipelineApprovalInput = z.object({
  runId: z.uuid(),
  nodeId: z.string().min(1).max(64),
  isApproved: z.boolean(),
  comment: z.string().max(2_000).optional(),
});

/** A person's answer to an approval node: recorded once (a second answer is refused) and the node woken. */
export async function decidePipelineApproval(
  db: Database,
  queue: PipelineQueue,
  actor: Actor,
  input: { projectId: string } & z.input<typeof ZDecidePipelineApprovalInput>,
): Promise<NodeRun> {
  const parsed = ZDecidePipelineApprovalInput.parse(input);
  return db.transaction(async (tx) => {
    const found = await findPipelineRun(tx, { projectId: input.projectId, runId: parsed.runId });
    if (!found) throw new AppError("NOT_FOUND", "Run not found");
    const run = await lockPipelineRun(tx, found.id);
    const node = await lockNodeRun(tx, { runId: found.id, nodeId: parsed.nodeId });
    if (!run || !node) throw new AppError("NOT_FOUND", "Node not found in this run");
    if (node.nodeType !== "approval") throw new AppError("BAD_REQUEST", `"${parsed.nodeId}" is not an approval node`);
    const state = node.state as { decision?: unknown };
    if (node.status !== "waiting" || state.decision || run.status !== "running") {
      throw new AppError("PRECONDITION_FAILED", "This approval is not waiting for an answer (already decided, timed out or the run ended)");
    }
    const decision = { isApproved: parsed.isApproved, by: actor.userId, comment: parsed.comment ?? null, at: new Date().toISOString() };
    const row = await updateNodeRun(tx, { runId: run.id, nodeId: node.nodeId, values: { state: { ...(node.state as object), decision } } });
    await queue.enqueueNodes(tx, [{ runId: run.id, nodeId: node.nodeId }]);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: parsed.isApproved ? "pipeline.approve" : "pipeline.reject",
      target: `${run.id}:${node.nodeId}`,
      ip: actor.ip,
      ...(parsed.comment ? { metadata: { comment: parsed.comment } } : {}),
    });
    return toNodeRun(row ?? node);
  });
}

export async function getPipelineRun(db: DbExecutor, input: { projectId: string; runId: string }) {
  const run = await findPipelineRun(db, input);
  if (!run) throw new AppError("NOT_FOUND", "Run not found");
  const [nodes, version] = await Promise.all([listNodeRuns(db, run.id), findPipelineVersionById(db, run.versionId)]);
  return {
    ...toPipelineRun(run),
    definition: (version?.definition ?? null) as PipelineDefinition | null,
    nodes: nodes.map(toNodeRun),
  };
}

export async function getNodeRun(db: DbExecutor, input: { projectId: string; runId: string; nodeId: string }) {
  const run = await findPipelineRun(db, input);
  const node = run ? await findNodeRun(db, { runId: run.id, nodeId: input.nodeId }) : undefined;
  if (!node) throw new AppError("NOT_FOUND", "Node not found in this run");
  return toNodeRun(node);
}

export const ZListRunsInput = z.object({
  pipelineId: z.uuid().optional(),
  status: z.enum(runStatuses).optional(),
  parentRunId: z.uuid().optional(),
  /** Part of the pipeline's name, or the start of the run's id. */
  search: ZListSearch.optional(),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: ZPageCursor.optional(),
});

export async function listPipelineRuns(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListRunsInput>) {
  const options = ZListRunsInput.parse(input);
  const rows = await listPipelineRunRows(db, {
    projectId: input.projectId,
    ...(options.pipelineId ? { pipelineId: options.pipelineId } : {}),
    ...(options.status ? { status: options.status } : {}),
    ...(options.parentRunId ? { parentRunId: options.parentRunId } : {}),
    ...(options.search ? { search: options.search } : {}),
    limit: options.limit + 1,
    ...(options.cursor ? { cursor: decodeCursor(options.cursor) } : {}),
  });
  return toPage(rows, options.limit, toPipelineRun);
}
