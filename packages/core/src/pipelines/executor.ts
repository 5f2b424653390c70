/**
 * The worker's part of a pipeline: one node per job. Three steps, the middle one outside any
 * transaction: claim (the node row moves to running, its input is resolved from upstream outputs),
 * execute (with an AbortSignal that fires on cancel, timeout or shutdown), finish (output, retry or
 * failure policy, successors, the run's end, in one transaction). Every step is safe to repeat: a job
 * that runs again after a crash finds the node as the last committed step left it.
 */

import {
  type Database,
  type DbExecutor,
  EVENTS_CHANNEL,
  findAgentTask,
  findPipelineRunById,
  findRunWithNode,
  finishNodeAtOnce,
  listChildRuns,
  listNodeOutputs,
  lockNodeRun,
  lockPipelineRun,
  lockPipelineRunShared,
  type PipelineNodeRunRow,
  type PipelineRunRow,
  updateNodeRun,
} from "@gathering/db";
import { type JSONValue, search } from "@jmespath-community/jmespath";
import { BrokenCircuitError, type CircuitBreakerPolicy, ConsecutiveBreaker, circuitBreaker, handleAll } from "cockatiel";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { AgentRuntime } from "../agents/runtime";
import { executeTask, submitTask } from "../agents/tasks";
import { AppError, isAppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { guardedFetch } from "../security/http-guard";
import { loadProjectTools } from "../tools/mcp/project-tools";
import { executeToolCall, type ToolServices } from "../tools/registry";
import type { PipelineNode, RetryPolicy } from "./definition";
import { cachedGraph, type PipelineGraph } from "./graph";
import { type ReferenceScope, resolveReferences } from "./references";
import {
  completeRunIfDone,
  loadRunGraph,
  type NodeStatus,
  type PipelineQueue,
  type RunOrigin,
  settleContext,
  settleNode,
  startRunInTransaction,
} from "./runs";

/** Aborts the running nodes of a run when it is cancelled elsewhere (the worker LISTENs for it). */
export interface CancellationWatch {
  watch(runId: string): { signal: AbortSignal; release: () => void };
}

export interface PipelineRuntime {
  db: Database;
  queue: PipelineQueue;
  logger: Logger;
  /** Agent nodes run through this; without it they fail with a clear error. */
  agents?: AgentRuntime;
  /** What tool nodes need from the process; its MCP connections bring the project's MCP tools. */
  toolServices?: ToolServices;
  cancellations?: CancellationWatch;
  random?: () => number;
}

type Usage = { inputTokens: number; outputTokens: number; costMicros: number };

type NodeOutcome =
  | { kind: "succeeded"; output: unknown; branch?: string | null; usage?: Usage }
  | { kind: "waiting"; state: Record<string, unknown>; resumeAt?: Date }
  | { kind: "failed"; error: string; isRetryable: boolean; usage?: Usage };

interface Claimed {
  run: PipelineRunRow;
  node: PipelineNodeRunRow;
  spec: PipelineNode;
  graph: PipelineGraph;
  input: Record<string, unknown>;
  scope: ReferenceScope;
  /** An inline claim's attempt, start and input, written with the node's outcome. */
  pendingClaim?: { attempts: number; startedAt: Date; input: unknown };
}

const defaultRetry: RetryPolicy = { maxAttempts: 1, backoffMs: 1_000, maxBackoffMs: 60_000, jitter: true };
const defaultTimeoutMs: Record<PipelineNode["type"], number> = {
  agent: 600_000,
  tool: 300_000,
  condition: 10_000,
  transform: 10_000,
  http: 30_000,
  delay: 30_000,
  approval: 30_000,
  subpipeline: 30_000,
  map: 60_000,
};

/** Whether JMESPath would call this value true: false, null, "", [] and {} are false. */
function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

function describeError(error: unknown): string {
  if (isAppError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function scopeFor(db: DbExecutor, run: PipelineRunRow, graph: PipelineGraph, nodeId: string): Promise<ReferenceScope> {
  const named = graph.scopeNodes.get(nodeId) ?? [];
  const rows = await listNodeOutputs(db, { runId: run.id, nodeIds: named });
  const nodes: ReferenceScope["nodes"] = {};
  for (const row of rows) if (row.status === "succeeded" || row.status === "failed") nodes[row.nodeId] = { output: row.output };
  return { inputs: run.inputs as Record<string, unknown>, nodes };
}

async function publishNode(db: Parameters<typeof publishEvent>[0], run: PipelineRunRow, node: PipelineNodeRunRow) {
  await publishEvent(db, run.projectId, "pipeline_nodes.changed", {
    runId: run.id,
    nodeId: node.nodeId,
    status: node.status as NodeStatus,
    attempts: node.attempts,
  });
}

/**
 * Step 1, in the caller's transaction: null when there is nothing to do (finished, skipped, the run
 * ended). An inline claim writes nothing: the node goes from queued to its end in one update later.
 */
async function claimNode(
  tx: DbExecutor,
  job: { runId: string; nodeId: string },
  mode: { lock: "share" | "update"; isInline: boolean },
): Promise<Claimed | null> {
  // The run first, then the node (the lock order of every transaction that touches both), sent together.
  const [run, node] = await Promise.all([
    mode.lock === "share" ? lockPipelineRunShared(tx, job.runId) : lockPipelineRun(tx, job.runId),
    lockNodeRun(tx, job),
  ]);
  if (!run || !node || !["queued", "running", "waiting"].includes(node.status)) return null;
  if (run.status !== "running") {
    const cancelled = await updateNodeRun(tx, { ...job, values: { status: "cancelled", finishedAt: new Date() } });
    if (cancelled) await publishNode(tx, run, cancelled);
    return null;
  }
  const graph = await loadRunGraph(tx, run.versionId);
  const spec = graph.nodes.get(job.nodeId);
  if (!spec) return null;
  const scope = await scopeFor(tx, run, graph, job.nodeId);
  if (node.status === "waiting") {
    return { run, node, spec, graph, input: (node.input ?? {}) as Record<string, unknown>, scope };
  }
  const input = resolveReferences(spec.config, scope) as Record<string, unknown>;
  const claim = { attempts: node.attempts + 1, startedAt: node.startedAt ?? new Date(), input };
  if (mode.isInline) return { run, node: { ...node, ...claim }, spec, graph, input, scope, pendingClaim: claim };
  const claimed = await updateNodeRun(tx, { ...job, values: { status: "running", error: null, ...claim } });
  if (!claimed) return null;
  await publishNode(tx, run, claimed);
  return { run, node: claimed, spec, graph, input, scope };
}

/**
 * Bounded, least recently used out: the hosts come from pipeline definitions and their inputs, so a
 * process may meet any number of them. A host evicted after going unused starts again closed, which a
 * host in use (or just opened, so just used) never is.
 */
const hostBreakers = new LRUCache<string, CircuitBreakerPolicy>({ max: 1_000 });

/** One breaker per HTTP host in this process: five failures in a row open it for 30 s. */
function breakerFor(host: string): CircuitBreakerPolicy {
  let breaker = hostBreakers.get(host);
  if (!breaker) {
    breaker = circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) });
    hostBreakers.set(host, breaker);
  }
  return breaker;
}

async function runHttpNode(runtime: PipelineRuntime, claimed: Claimed, signal: AbortSignal): Promise<NodeOutcome> {
  const input = claimed.input as { method: string; url: unknown; headers?: Record<string, unknown>; body?: unknown };
  const url = String(input.url ?? "");
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return { kind: "failed", error: `"${url.slice(0, 200)}" is not a URL`, isRetryable: false };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {}))
    headers[name] = typeof value === "string" ? value : JSON.stringify(value);
  // The same key on every attempt: a receiver that honours it applies the effect once.
  headers["idempotency-key"] = `${claimed.run.id}:${claimed.node.nodeId}`;
  let body: string | undefined;
  if (input.body !== undefined && input.method !== "GET" && input.method !== "HEAD") {
    body = typeof input.body === "string" ? input.body : JSON.stringify(input.body);
    if (typeof input.body !== "string" && !Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
      headers["content-type"] = "application/json";
    }
  }
  try {
    const response = await breakerFor(host).execute(async () => {
      const answer = await guardedFetch(url, {
        method: input.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal,
        timeoutMs: claimed.spec.timeoutMs ?? defaultTimeoutMs.http,
        allowedHosts: runtime.toolServices?.allowedHosts ?? [],
        maxResponseBytes: 1_000_000,
      });
      // Server errors count against the host's breaker; client errors are the request's fault.
      if (answer.status >= 500)
        throw new AppError("UNAVAILABLE", `HTTP ${answer.status} from ${host}`, { status: answer.status, body: answer.body });
      return answer;
    });
    const text = typeof response.body === "string" ? response.body : "";
    let parsedBody: unknown = text;
    if ((response.headers["content-type"] ?? "").includes("json")) {
      try {
        parsedBody = JSON.parse(text);
      } catch {
        parsedBody = text;
      }
    }
    const output = { status: response.status, ok: response.status < 400, headers: response.headers, body: parsedBody };
    if (response.status === 429) return { kind: "failed", error: `HTTP 429 from ${host}`, isRetryable: true };
    if (response.status >= 400)
      return { kind: "failed", error: `HTTP ${response.status} from ${host}: ${text.slice(0, 300)}`, isRetryable: false };
    return { kind: "succeeded", output };
  } catch (error) {
    if (error instanceof BrokenCircuitError) {
      return { kind: "failed", error: `UNAVAILABLE: ${host} failed repeatedly; its circuit breaker is open`, isRetryable: true };
    }
    if (signal.aborted) throw error;
    const isRetryable = !isAppError(error) || ["UNAVAILABLE", "TIMEOUT"].includes(error.code);
    return { kind: "failed", error: describeError(error), isRetryable };
  }
}

async function runToolNode(runtime: PipelineRuntime, claimed: Claimed, signal: AbortSignal): Promise<NodeOutcome> {
  const input = claimed.input as { tool: string; arguments?: Record<string, unknown> };
  const tools = await loadProjectTools(runtime.db, runtime.toolServices ?? {}, claimed.run.projectId);
  const tool = tools.get(input.tool);
  if (!tool) return { kind: "failed", error: `Unknown tool "${input.tool}"`, isRetryable: false };
  if (tool.category === "memory" || tool.category === "agents") {
    return { kind: "failed", error: `"${input.tool}" works for an agent; use an agent node`, isRetryable: false };
  }
  const outcome = await executeToolCall(
    tools,
    { id: claimed.node.nodeId, name: tool.name, arguments: input.arguments ?? {} },
    {
      db: runtime.db,
      projectId: claimed.run.projectId,
      agentId: `pipeline:${claimed.run.pipelineId}`,
      userId: claimed.run.createdBy,
      sessionId: claimed.run.id,
      idempotencyKey: `${claimed.run.id}:${claimed.node.nodeId}`,
      signal,
      logger: runtime.logger,
      services: runtime.toolServices ?? {},
    },
  );
  if (outcome.isError) return { kind: "failed", error: outcome.content, isRetryable: true };
  let output: unknown = outcome.content;
  try {
    output = JSON.parse(outcome.content);
  } catch {
    // plain text output stays text
  }
  return { kind: "succeeded", output };
}

async function runAgentNode(runtime: PipelineRuntime, claimed: Claimed, signal: AbortSignal, retry: RetryPolicy): Promise<NodeOutcome> {
  const agents = runtime.agents;
  if (!agents) return { kind: "failed", error: "Agent nodes cannot run in this process (no model access)", isRetryable: false };
  const input = claimed.input as { agentId: string; prompt: unknown };
  let taskId = (claimed.node.state as { taskId?: string }).taskId;
  if (!taskId) {
    // The task and the node's record of it commit together, so a crash cannot start a second task.
    const task = await submitTask(
      runtime.db,
      claimed.run.createdBy ? { userId: claimed.run.createdBy } : null,
      {
        projectId: claimed.run.projectId,
        agentId: input.agentId,
        input: typeof input.prompt === "string" ? input.prompt : JSON.stringify(input.prompt),
        origin: { kind: "pipeline", id: claimed.run.id },
      },
      async (tx, id) => {
        await updateNodeRun(tx, {
          runId: claimed.run.id,
          nodeId: claimed.node.nodeId,
          values: { state: { ...(claimed.node.state as object), taskId: id } },
        });
      },
    );
    taskId = task.id;
  }
  let status: string;
  try {
    status = await executeTask(agents, { taskId, attempt: claimed.node.attempts, maxAttempts: retry.maxAttempts, signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: "failed", error: describeError(error), isRetryable: true };
  }
  const task = await findAgentTask(runtime.db, { projectId: claimed.run.projectId, taskId });
  const usage = { inputTokens: task?.inputTokens ?? 0, outputTokens: task?.outputTokens ?? 0, costMicros: task?.costMicros ?? 0 };
  if (status === "succeeded") {
    return { kind: "succeeded", output: { text: task?.result ?? "", taskId, ...usage }, usage };
  }
  if (status === "waiting") return { kind: "waiting", state: { taskId, waitingFor: "tool approval" } };
  return { kind: "failed", error: task?.error ?? `The agent task ended ${status}`, isRetryable: false, usage };
}

function runDelayNode(claimed: Claimed): NodeOutcome {
  const state = claimed.node.state as { resumeAt?: string; waitingSince?: string };
  if (state.resumeAt) {
    const resumeAt = new Date(state.resumeAt);
    if (Date.now() + 5 >= resumeAt.getTime()) {
      return { kind: "succeeded", output: { waitedMs: Date.now() - new Date(state.waitingSince ?? state.resumeAt).getTime() } };
    }
    return { kind: "waiting", state, resumeAt };
  }
  const ms = Number(claimed.input.ms);
  if (!Number.isFinite(ms) || ms < 0 || ms > 7 * 86_400_000) {
    return { kind: "failed", error: `A delay needs 0 to 604800000 ms, got ${JSON.stringify(claimed.input.ms)}`, isRetryable: false };
  }
  if (ms === 0) return { kind: "succeeded", output: { waitedMs: 0 } };
  const resumeAt = new Date(Date.now() + ms);
  return { kind: "waiting", state: { resumeAt: resumeAt.toISOString(), waitingSince: new Date().toISOString() }, resumeAt };
}

function runApprovalNode(claimed: Claimed): NodeOutcome {
  const spec = claimed.spec as Extract<PipelineNode, { type: "approval" }>;
  const state = claimed.node.state as {
    requestedAt?: string;
    expiresAt?: string;
    decision?: { isApproved: boolean; by: string; comment: string | null };
  };
  if (state.decision) {
    if (state.decision.isApproved) {
      return {
        kind: "succeeded",
        output: { approved: true, decidedBy: state.decision.by, comment: state.decision.comment, timedOut: false },
      };
    }
    return {
      kind: "failed",
      error: `Rejected by a person${state.decision.comment ? `: ${state.decision.comment}` : ""}`,
      isRetryable: false,
    };
  }
  if (!state.requestedAt) {
    const expiresAt = spec.config.timeoutMs ? new Date(Date.now() + spec.config.timeoutMs) : undefined;
    return {
      kind: "waiting",
      state: {
        message: claimed.input.message,
        requestedAt: new Date().toISOString(),
        ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
      },
      ...(expiresAt ? { resumeAt: expiresAt } : {}),
    };
  }
  if (state.expiresAt && Date.now() + 5 >= new Date(state.expiresAt).getTime()) {
    if (spec.config.onTimeout === "approve")
      return { kind: "succeeded", output: { approved: true, decidedBy: null, comment: null, timedOut: true } };
    return { kind: "failed", error: `No answer within ${spec.config.timeoutMs} ms`, isRetryable: false };
  }
  return { kind: "waiting", state, ...(state.expiresAt ? { resumeAt: new Date(state.expiresAt) } : {}) };
}

function childOutcome(children: PipelineRunRow[]): { finished: PipelineRunRow[]; running: number } {
  return {
    finished: children.filter((child) => child.status !== "running"),
    running: children.filter((child) => child.status === "running").length,
  };
}

/** Subpipeline and map: child runs start in a transaction holding the run and node locks, so each starts once. */
async function runChildRunsNode(runtime: PipelineRuntime, claimed: Claimed): Promise<NodeOutcome> {
  const { run, spec } = claimed;
  const origin = run.origin as RunOrigin;
  return runtime.db.transaction(async (tx) => {
    await lockPipelineRun(tx, run.id);
    const node = await lockNodeRun(tx, { runId: run.id, nodeId: spec.id });
    if (!node) return { kind: "failed", error: "The node disappeared", isRetryable: false } as NodeOutcome;
    const children = await listChildRuns(tx, { parentRunId: run.id, parentNodeId: spec.id });
    const start = (pipelineId: string, inputs: Record<string, unknown>, kind: "subpipeline" | "map", itemIndex?: number) =>
      startRunInTransaction(tx, runtime.queue, {
        projectId: run.projectId,
        pipelineId,
        inputs,
        origin: { kind, id: run.id, depth: (origin.depth ?? 0) + 1, ...(itemIndex !== undefined ? { itemIndex } : {}) },
        createdBy: run.createdBy,
        parent: { runId: run.id, nodeId: spec.id },
      });

    if (spec.type === "subpipeline") {
      const child =
        children[0] ?? (await start(spec.config.pipelineId, (claimed.input.inputs ?? {}) as Record<string, unknown>, "subpipeline"));
      const current = children[0] ? child : await findPipelineRunById(tx, child.id);
      if (!current || current.status === "running") return { kind: "waiting", state: { childRunId: child.id } } as NodeOutcome;
      if (current.status === "succeeded")
        return { kind: "succeeded", output: { runId: current.id, output: current.output } } as NodeOutcome;
      return {
        kind: "failed",
        error: `The sub-pipeline run ${current.id} ${current.status}: ${current.error ?? ""}`.trim(),
        isRetryable: false,
      } as NodeOutcome;
    }

    if (spec.type !== "map") return { kind: "failed", error: "not a child-run node", isRetryable: false } as NodeOutcome;
    const items = claimed.input.items;
    if (!Array.isArray(items))
      return { kind: "failed", error: `items is not a list (got ${typeof items})`, isRetryable: false } as NodeOutcome;
    if (items.length > spec.config.maxItems) {
      return {
        kind: "failed",
        error: `${items.length} items; this map takes at most ${spec.config.maxItems}`,
        isRetryable: false,
      } as NodeOutcome;
    }
    const all = [...children];
    let { running } = childOutcome(all);
    for (let index = all.length; index < items.length && running < spec.config.concurrency; index += 1) {
      const inputs = { ...((claimed.input.inputs ?? {}) as Record<string, unknown>), [spec.config.itemInput]: items[index] };
      const child = await start(spec.config.pipelineId, inputs, "map", index);
      all.push((await findPipelineRunById(tx, child.id)) ?? child);
      running += 1;
    }
    const { finished } = childOutcome(all);
    if (finished.length < items.length) {
      return { kind: "waiting", state: { total: items.length, started: all.length, finished: finished.length } } as NodeOutcome;
    }
    const ordered = [...all].sort((a, b) => ((a.origin as RunOrigin).itemIndex ?? 0) - ((b.origin as RunOrigin).itemIndex ?? 0));
    const failed = ordered.filter((child) => child.status !== "succeeded");
    if (failed.length > 0) {
      return {
        kind: "failed",
        error: `${failed.length} of ${items.length} items failed; first: item ${(failed[0]?.origin as RunOrigin | undefined)?.itemIndex}: ${failed[0]?.error ?? failed[0]?.status}`,
        isRetryable: false,
      } as NodeOutcome;
    }
    return {
      kind: "succeeded",
      output: { items: ordered.map((child) => child.output), count: ordered.length, runIds: ordered.map((child) => child.id) },
    } as NodeOutcome;
  });
}

function runExpressionNode(claimed: Claimed): NodeOutcome {
  const spec = claimed.spec;
  const data = claimed.scope as unknown as JSONValue;
  try {
    if (spec.type === "condition") {
      const value = search(data, spec.config.expression);
      const result = isTruthy(value);
      return { kind: "succeeded", output: { result, value }, branch: String(result) };
    }
    if (spec.type === "transform") {
      if (spec.config.expression) return { kind: "succeeded", output: search(data, spec.config.expression) };
      const output: Record<string, unknown> = {};
      for (const [key, expression] of Object.entries(spec.config.mapping ?? {})) output[key] = search(data, expression);
      return { kind: "succeeded", output };
    }
  } catch (error) {
    return { kind: "failed", error: `The expression failed: ${describeError(error)}`, isRetryable: false };
  }
  return { kind: "failed", error: "not an expression node", isRetryable: false };
}

async function runBody(runtime: PipelineRuntime, claimed: Claimed, signal: AbortSignal, retry: RetryPolicy): Promise<NodeOutcome> {
  switch (claimed.spec.type) {
    case "condition":
    case "transform":
      return runExpressionNode(claimed);
    case "http":
      return runHttpNode(runtime, claimed, signal);
    case "tool":
      return runToolNode(runtime, claimed, signal);
    case "agent":
      return runAgentNode(runtime, claimed, signal, retry);
    case "delay":
      return runDelayNode(claimed);
    case "approval":
      return runApprovalNode(claimed);
    case "subpipeline":
    case "map":
      return runChildRunsNode(runtime, claimed);
  }
}

export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(policy.jitter ? base * (0.5 + random() * 0.5) : base);
}

/** Step 3, in the caller's transaction. */
async function finishNode(
  tx: DbExecutor,
  runtime: PipelineRuntime,
  claimed: Claimed,
  outcome: NodeOutcome,
  retry: RetryPolicy,
  locked?: { run: PipelineRunRow; node: PipelineNodeRunRow },
): Promise<NodeStatus> {
  const [run, node] = locked
    ? [locked.run, locked.node]
    : await Promise.all([lockPipelineRun(tx, claimed.run.id), lockNodeRun(tx, { runId: claimed.run.id, nodeId: claimed.node.nodeId })]);
  const claim = claimed.pendingClaim;
  const finishable = claim ? ["queued", "running", "waiting"] : ["running", "waiting"];
  if (!run || !node || !finishable.includes(node.status)) return (node?.status ?? "cancelled") as NodeStatus;
  const job = { runId: run.id, nodeId: node.nodeId };
  if (run.status !== "running") {
    const cancelled = await updateNodeRun(tx, { ...job, values: { status: "cancelled", finishedAt: new Date() } });
    if (cancelled) await publishNode(tx, run, cancelled);
    return "cancelled";
  }
  const context = settleContext(tx, runtime.queue, run, claimed.graph);
  if (outcome.kind === "succeeded") {
    await settleNode(
      context,
      node.nodeId,
      { status: "succeeded", output: outcome.output, branch: outcome.branch ?? null },
      outcome.usage,
      claim,
    );
    return "succeeded";
  }
  if (outcome.kind === "waiting") {
    const row = await updateNodeRun(tx, {
      ...job,
      values: { status: "waiting", state: { ...(node.state as object), ...outcome.state }, ...(claim ?? {}) },
    });
    if (row && node.status !== "waiting") await publishNode(tx, run, row);
    if (outcome.resumeAt) await runtime.queue.enqueueNodes(tx, [{ ...job, runAt: outcome.resumeAt }]);
    return "waiting";
  }
  if (outcome.isRetryable && node.attempts < retry.maxAttempts) {
    const delay = retryDelayMs(retry, node.attempts, runtime.random);
    const row = await updateNodeRun(tx, { ...job, values: { status: "queued", error: outcome.error, ...(claim ?? {}) } });
    if (row) await publishNode(tx, run, row);
    await runtime.queue.enqueueNodes(tx, [{ ...job, runAt: new Date(Date.now() + delay) }]);
    runtime.logger.info({ runId: run.id, nodeId: node.nodeId, attempt: node.attempts, delayMs: delay }, "pipeline node will retry");
    return "queued";
  }
  await settleNode(context, node.nodeId, { status: "failed", error: outcome.error, policy: claimed.spec.onError }, outcome.usage, claim);
  return "failed";
}

/** Nodes whose work is a pure computation on the database's data: claimed, run and finished in one transaction. */
const inlineNodeTypes = new Set<PipelineNode["type"]>(["condition", "transform", "delay", "approval"]);

function runInlineBody(claimed: Claimed): NodeOutcome {
  switch (claimed.spec.type) {
    case "delay":
      return runDelayNode(claimed);
    case "approval":
      return runApprovalNode(claimed);
    default:
      return runExpressionNode(claimed);
  }
}

/**
 * Runs one node of a run (the `pipelines:run-node` job). Returns the node's status afterwards, or
 * null when there was nothing to do. Throws only when the worker is shutting down (the job runs again).
 */
export async function executePipelineNode(
  runtime: PipelineRuntime,
  job: { runId: string; nodeId: string; signal: AbortSignal },
): Promise<NodeStatus | null> {
  const graph = cachedGraph(await versionOf(runtime, job.runId));
  const type = graph?.nodes.get(job.nodeId)?.type;
  if (graph && type && inlineNodeTypes.has(type)) {
    const atOnce = await finishAtOnce(runtime, job, graph);
    if (atOnce.isApplied) {
      if (atOnce.unfinishedNodes === 0) await completeRunIfDone(runtime.db, runtime.queue, job.runId);
      return "succeeded";
    }
    const status = await runtime.db.transaction(async (tx) => {
      const claimed = await claimNode(tx, job, { lock: "update", isInline: true });
      if (!claimed) return null;
      return finishNode(tx, runtime, claimed, runInlineBody(claimed), claimed.spec.retry ?? defaultRetry, {
        run: claimed.run,
        node: claimed.node,
      });
    });
    // Nothing to do: a repeat of a job whose node already finished; complete the run if a crash stopped that.
    if (status === null) await completeRunIfDone(runtime.db, runtime.queue, job.runId);
    return status;
  }
  const claimed = await runtime.db.transaction((tx) => claimNode(tx, job, { lock: "share", isInline: false }));
  if (!claimed) {
    // A repeat of a job whose node already finished: complete the run if a crash stopped that.
    await completeRunIfDone(runtime.db, runtime.queue, job.runId);
    return null;
  }
  const retry = claimed.spec.retry ?? defaultRetry;
  const timeoutMs = claimed.spec.timeoutMs ?? defaultTimeoutMs[claimed.spec.type];
  const watch = runtime.cancellations?.watch(job.runId);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([job.signal, timeout, ...(watch ? [watch.signal] : [])]);
  let outcome: NodeOutcome;
  let rejectAborted: (reason: unknown) => void = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    rejectAborted = reject;
  });
  aborted.catch(() => {});
  const onAbort = () => rejectAborted(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    outcome = await Promise.race([runBody(runtime, claimed, signal, retry), aborted]);
  } catch (error) {
    if (job.signal.aborted) throw error;
    if (watch?.signal.aborted) outcome = { kind: "failed", error: "The run was cancelled", isRetryable: false };
    else if (timeout.aborted) outcome = { kind: "failed", error: `TIMEOUT: the node took longer than ${timeoutMs} ms`, isRetryable: true };
    else {
      runtime.logger.warn({ err: error, runId: job.runId, nodeId: job.nodeId }, "pipeline node failed unexpectedly");
      outcome = { kind: "failed", error: describeError(error), isRetryable: true };
    }
  } finally {
    // Node keeps a composite signal with an abort listener alive until it aborts, and its timeout
    // source may be collected first and never fire: a listener left here would keep the signal, this
    // closure and the whole claim (run, node, input, output) in memory for the life of the process.
    signal.removeEventListener("abort", onAbort);
    watch?.release();
  }
  return runtime.db.transaction((tx) => finishNode(tx, runtime, claimed, outcome, retry));
}

/**
 * The fast path of an inline node: read without locks, compute, then write the outcome and everything
 * it decides in one statement that applies only if the node is still as read. Taken when the node
 * succeeds plainly and all its edges out are taken (no skip, and the run cannot end here); anything
 * else, or a node that moved meanwhile, goes the transactional way.
 */
async function finishAtOnce(
  runtime: PipelineRuntime,
  job: { runId: string; nodeId: string },
  graph: PipelineGraph,
): Promise<{ isApplied: boolean; unfinishedNodes: number | null }> {
  const notApplied = { isApplied: false, unfinishedNodes: null };
  const edges = graph.outgoing.get(job.nodeId) ?? [];
  const nodeJob = runtime.queue.nodeJob;
  if (!nodeJob || edges.some((edge) => edge.when !== undefined)) return notApplied;
  const found = await findRunWithNode(runtime.db, job);
  const spec = graph.nodes.get(job.nodeId);
  if (!found || !spec) return notApplied;
  const { run, node } = found;
  if (!run || !node || !spec || run.status !== "running" || !["queued", "running", "waiting"].includes(node.status)) return notApplied;
  const scope = await scopeFor(runtime.db, run, graph, job.nodeId);
  const isResume = node.status === "waiting";
  const input = isResume
    ? ((node.input ?? {}) as Record<string, unknown>)
    : (resolveReferences(spec.config, scope) as Record<string, unknown>);
  const values = {
    attempts: isResume ? node.attempts : node.attempts + 1,
    startedAt: node.startedAt ?? new Date(),
    input,
  };
  const outcome = runInlineBody({ run, node: { ...node, ...values }, spec, graph, input, scope });
  if (outcome.kind !== "succeeded" || (outcome.branch ?? null) !== null) return notApplied;
  return finishNodeAtOnce(runtime.db, {
    projectId: run.projectId,
    runId: run.id,
    nodeId: node.nodeId,
    expectedStatus: node.status,
    values: { ...values, output: outcome.output },
    successors: edges.map((edge) => edge.to),
    job: { identifier: nodeJob.identifier, maxAttempts: nodeJob.maxAttempts, keyPrefix: nodeJob.keyPrefix(run.id) },
    eventTopic: "pipeline_nodes.changed",
    eventsChannel: EVENTS_CHANNEL,
  });
}

/** Which version a run uses, remembered per process (it never changes), so a node's type is known before its transaction. */
const runVersions = new Map<string, string>();
async function versionOf(runtime: PipelineRuntime, runId: string): Promise<string> {
  const known = runVersions.get(runId);
  if (known) return known;
  const run = await findPipelineRunById(runtime.db, runId);
  if (!run) return "";
  if (runVersions.size >= 10_000) runVersions.delete(runVersions.keys().next().value as string);
  runVersions.set(runId, run.versionId);
  return run.versionId;
}
