/**
 * One agent at work on a session: builds the context, calls the model through the gateway (budgets
 * checked before every call, fallbacks walked), persists each assistant message with its usage-ledger
 * row in one transaction, executes tool calls and loops until the model answers without tools or the
 * step limit is reached. Chat sessions and background tasks both run through here.
 */
import {
  type ChatMessageRow,
  type Database,
  type DbExecutor,
  ensureToolApproval,
  findLiveAgentByName,
  insertChatMessages,
  insertChatSession,
  insertModelCall,
  listChatMessages,
  lockChatSession,
  updateChatSession,
  useToolApproval,
} from "@gathering/db";
import type { Logger } from "pino";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { citationsIn, excerptsPrompt, type MessageCitation, type RetrievedExcerpt, retrieveForAgent } from "../knowledge/retrieval";
import { anthropicDefaultMaxTokens } from "../llm/adapters/anthropic";
import { estimateTokens, messageText } from "../llm/adapters/local";
import type { FallbackAttempt, ModelGateway } from "../llm/gateway";
import { costMicros, resolvePrice } from "../llm/pricing";
import { assertSomeModelCallable, loadModelContext, type ModelContext } from "../llm/resolve";
import { type ChatMessage, type ChatStreamEvent, ModelCallError, type ToolCall, type ToolSpec } from "../llm/types";
import type { Keyring } from "../security/encryption";
import { SpanKind, withSpan } from "../telemetry";
import { argumentsHash, type ToolApproval, toApproval } from "../tools/approvals";
import { builtinTools } from "../tools/catalog";
import { loadProjectTools } from "../tools/mcp/project-tools";
import { executeToolCall, type ToolDefinition, type ToolServices, toolSpec, validateToolArguments } from "../tools/registry";
import type { AgentDefinition } from "./agent-schema";
import { loadAgentForRun } from "./agents";
import { reserveCall } from "./budgets";
import { buildSystemPrompt, extendSummary, planWindow, rowToMessage } from "./context";
import { readProfile, recallMemories } from "./memory";

export interface AgentRuntime {
  db: Database;
  keyring: Keyring;
  gateway: ModelGateway;
  logger: Logger;
  /** Tools by name; defaults to the built-in ones. The project's MCP tools are added to these. */
  tools?: ReadonlyMap<string, ToolDefinition>;
  /** What tools need from the process (data dir, allowed hosts); see ToolServices. */
  toolServices?: ToolServices;
  now?: () => Date;
}

export interface LoadedAgent {
  id: string;
  projectId: string;
  definition: AgentDefinition;
}

export type StoredMessage = ReturnType<typeof toStoredMessage>;

export type TurnEvent = { type: "text"; delta: string } | { type: "message"; message: StoredMessage };

export interface TurnOutcome {
  messages: StoredMessage[];
  /** "end": the model answered; "step_limit": it still wanted tools when the step limit was reached. */
  stop: "end" | "step_limit" | "approval_required";
  /** Calls waiting for a person (when stop is "approval_required"). */
  pendingApprovals: ToolApproval[];
  usage: { inputTokens: number; outputTokens: number; costMicros: number };
}

export function toStoredMessage(row: ChatMessageRow) {
  return {
    id: row.id,
    seq: row.seq,
    sessionId: row.sessionId,
    role: row.role as "user" | "assistant" | "tool",
    content: row.content,
    toolCalls: (row.toolCalls as Array<{ id: string; name: string; arguments: Record<string, unknown> }> | null) ?? null,
    toolCallId: row.toolCallId,
    toolName: row.toolName,
    isError: row.isError,
    provider: row.provider,
    model: row.model,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costMicros: row.costMicros,
    fallbacks: (row.fallbacks as FallbackAttempt[] | null) ?? null,
    /** The knowledge chunks the answer cites by [n] (automatic retrieval); null when none. */
    citations: (row.citations as MessageCitation[] | null) ?? null,
    createdAt: row.createdAt,
  };
}

export interface SessionHistory {
  summary: string;
  /** The messages after the summary, oldest first, within the short-term window. */
  rows: ChatMessageRow[];
}

/**
 * Reads the session's unsummarised messages and folds what no longer fits the short-term window into
 * the summary. Call inside the transaction that locked the session.
 */
export async function foldHistory(
  tx: DbExecutor,
  locked: { id: string; summary: string; summarizedThroughSeq: number },
  shortTermTokens: number,
): Promise<SessionHistory> {
  const rows = await listChatMessages(tx, { sessionId: locked.id, afterSeq: locked.summarizedThroughSeq });
  const { fold, keep } = planWindow(rows, shortTermTokens);
  if (fold.length === 0) return { summary: locked.summary, rows: keep };
  const summary = extendSummary(locked.summary, fold, Math.max(500, Math.floor(shortTermTokens / 2)));
  await updateChatSession(tx, {
    sessionId: locked.id,
    values: { summary, summarizedThroughSeq: fold.at(-1)?.seq ?? locked.summarizedThroughSeq },
  });
  return { summary, rows: keep };
}

const specCache = new WeakMap<ToolDefinition, ToolSpec>();
function cachedToolSpec(tool: ToolDefinition): ToolSpec {
  let spec = specCache.get(tool);
  if (!spec) {
    spec = toolSpec(tool);
    specCache.set(tool, spec);
  }
  return spec;
}

function toolsFor(definition: AgentDefinition, registry: ReadonlyMap<string, ToolDefinition>): Map<string, ToolDefinition> {
  const names = new Set(definition.tools);
  if (definition.memory.longTermEnabled) {
    names.add("memory_store");
    names.add("memory_recall");
  }
  if (definition.memory.profileEnabled) names.add("update_profile");
  // An agent with knowledge bases attached may also search them on its own, beyond the automatic retrieval.
  if (definition.knowledgeBaseIds.length > 0) names.add("knowledge_search");
  const tools = new Map<string, ToolDefinition>();
  for (const name of names) {
    const tool = registry.get(name);
    if (tool) tools.set(name, tool);
  }
  return tools;
}

/** Runs the agent on the session until it answers. The session's newest message must be the user's. */
export async function runAgentTurn(
  runtime: AgentRuntime,
  input: {
    agent: LoadedAgent;
    sessionId: string;
    userId: string | null;
    runKind: "chat" | "task";
    runId: string;
    stream: boolean;
    signal?: AbortSignal;
    onEvent?: (event: TurnEvent) => void;
    /** What the caller already read in this turn, so it is not read twice. */
    prepared?: { model?: ModelContext; history?: SessionHistory };
  },
): Promise<TurnOutcome> {
  const { db, gateway } = runtime;
  const { agent, sessionId } = input;
  const definition = agent.definition;
  const now = runtime.now?.() ?? new Date();
  const chain = [definition.model, ...definition.fallbackModels];
  const [registry, model] = await Promise.all([
    loadProjectTools(db, runtime.toolServices ?? {}, agent.projectId, runtime.tools ?? builtinTools),
    input.prepared?.model ?? loadModelContext(db, runtime.keyring, agent.projectId, chain),
  ]);
  const tools = toolsFor(definition, registry);
  const toolSpecs: ToolSpec[] = [...tools.values()].map(cachedToolSpec);
  assertSomeModelCallable(model);
  const { targets, unavailable } = model;
  const usageSettings = model.usage;

  const session =
    input.prepared?.history ??
    (await db.transaction(async (tx) => {
      const locked = await lockChatSession(tx, sessionId);
      if (!locked) throw new AppError("NOT_FOUND", "Chat session not found");
      return foldHistory(tx, locked, definition.memory.shortTermTokens);
    }));

  const lastUser = session.rows.findLast((row) => row.role === "user");
  const [profile, memories, excerpts] = await Promise.all([
    definition.memory.profileEnabled && input.userId ? readProfile(db, { agentId: agent.id, userId: input.userId }) : Promise.resolve(null),
    definition.memory.longTermEnabled && lastUser
      ? recallMemories(db, {
          projectId: agent.projectId,
          agentId: agent.id,
          userId: input.userId,
          query: lastUser.content,
          limit: definition.memory.recallLimit,
        })
      : Promise.resolve([]),
    // Retrieval before answering: the attached bases' best chunks for the user's last message. A search
    // that fails (a provider outage for a remote embedder) costs the excerpts, not the turn.
    definition.knowledgeBaseIds.length > 0 && lastUser
      ? retrieveForAgent(
          db,
          { keyring: runtime.keyring },
          {
            projectId: agent.projectId,
            knowledgeBaseIds: definition.knowledgeBaseIds,
            query: lastUser.content,
            limit: 5,
          },
        ).catch((error: unknown): RetrievedExcerpt[] => {
          runtime.logger.warn({ err: error, agentId: agent.id }, "knowledge retrieval failed; answering without excerpts");
          return [];
        })
      : Promise.resolve([] as RetrievedExcerpt[]),
  ]);
  // What this turn's answer may cite: the excerpts found before answering, then the passages the
  // knowledge_search tool returns, numbered on from them (the same chunk keeps its number).
  const citable: RetrievedExcerpt[] = [...excerpts];
  const cite = (hit: RetrievedExcerpt["hit"]): number => {
    const known = citable.find((excerpt) => excerpt.hit.chunkId === hit.chunkId);
    if (known) return known.ref;
    const ref = citable.reduce((highest, excerpt) => Math.max(highest, excerpt.ref), 0) + 1;
    citable.push({ ref, hit });
    return ref;
  };
  const system = [buildSystemPrompt({ ...definition, profile, memories, summary: session.summary, now }), excerptsPrompt(excerpts)]
    .filter(Boolean)
    .join("\n\n");
  const history: ChatMessage[] = session.rows.map(rowToMessage);
  const produced: StoredMessage[] = [];
  const usage = { inputTokens: 0, outputTokens: 0, costMicros: 0 };
  const toolsTokens = toolSpecs.length ? estimateTokens(JSON.stringify(toolSpecs)) : 0;

  const persist = async (rows: Parameters<typeof insertChatMessages>[1], ledger?: Parameters<typeof insertModelCall>[1]) => {
    const stored = await db.transaction(async (tx) => {
      const inserted = await insertChatMessages(tx, rows);
      if (ledger) await insertModelCall(tx, ledger);
      for (const row of inserted) {
        await publishEvent(tx, agent.projectId, "chat.message", {
          sessionId,
          agentId: agent.id,
          messageId: row.id,
          role: row.role as "assistant" | "tool",
          seq: row.seq,
        });
      }
      return inserted.map(toStoredMessage);
    });
    for (const message of stored) {
      produced.push(message);
      input.onEvent?.({ type: "message", message });
    }
    return stored;
  };

  const pendingApprovals: ToolApproval[] = [];
  const storeToolResult = async (call: ToolCall, outcome: { content: string; isError: boolean }) => {
    await persist([
      {
        sessionId,
        projectId: agent.projectId,
        role: "tool",
        content: outcome.content,
        toolCallId: call.id,
        toolName: call.name,
        isError: outcome.isError,
      },
    ]);
    history.push({ role: "tool", toolCallId: call.id, toolName: call.name, content: outcome.content, isError: outcome.isError });
  };

  /** Whether a person must approve this call first; only calls whose arguments are valid are put to a person. */
  const gateOf = (call: ToolCall) => {
    const tool = tools.get(call.name);
    if (!tool || call.argumentsError || !(tool.requiresApproval || definition.approvalTools.includes(call.name))) return false;
    return validateToolArguments(tool, call.arguments).success;
  };

  /** Runs the calls in order; stops at the first one still waiting for a person (returns false then). */
  const runTools = async (calls: ToolCall[]): Promise<boolean> => {
    for (const call of calls) {
      if (gateOf(call)) {
        const hash = argumentsHash(call.arguments);
        const { row, created } = await db.transaction(async (tx) => {
          const ensured = await ensureToolApproval(tx, {
            projectId: agent.projectId,
            sessionId,
            agentId: agent.id,
            toolCallId: call.id,
            toolName: call.name,
            arguments: call.arguments,
            argumentsHash: hash,
          });
          if (ensured.created) {
            await publishEvent(tx, agent.projectId, "approvals.changed", { approvalId: ensured.row.id, sessionId, status: "pending" });
          }
          return ensured;
        });
        if (row.status === "pending") {
          pendingApprovals.push(toApproval(row));
          if (created) runtime.logger.info({ approvalId: row.id, tool: call.name }, "tool call waits for approval");
          return false;
        }
        if (row.status === "rejected") {
          await storeToolResult(call, {
            content: `A person rejected this call${row.reason ? `: ${row.reason}` : ""}. Do not retry it as is.`,
            isError: true,
          });
          continue;
        }
        const spent = row.status === "approved" ? await useToolApproval(db, { approvalId: row.id, argumentsHash: hash }) : undefined;
        if (!spent) {
          await storeToolResult(call, {
            content:
              row.status === "used"
                ? "This call's approval was already used; ask again with a new call."
                : "The approval does not match these arguments.",
            isError: true,
          });
          continue;
        }
      }
      const outcome = await executeToolCall(tools, call, {
        db,
        projectId: agent.projectId,
        agentId: agent.id,
        userId: input.userId,
        sessionId,
        idempotencyKey: `${sessionId}:${call.id}`,
        signal: input.signal ?? new AbortController().signal,
        logger: runtime.logger,
        cite,
        services: {
          ...runtime.toolServices,
          keyring: runtime.keyring,
          delegationDepth: runtime.toolServices?.delegationDepth ?? 0,
          askAgent: (question) =>
            askAnotherAgent(runtime, { projectId: agent.projectId, userId: input.userId, callerAgentId: agent.id, ...question }),
        },
      });
      await storeToolResult(call, outcome);
    }
    return true;
  };

  // Resuming after a crash: tool calls the model asked for whose results were never stored run first.
  const lastAssistant = history.findLastIndex((message) => message.role === "assistant");
  const pendingCall = history[lastAssistant];
  if (pendingCall?.role === "assistant" && pendingCall.toolCalls?.length) {
    const answered = new Set(history.slice(lastAssistant + 1).flatMap((message) => (message.role === "tool" ? [message.toolCallId] : [])));
    const missing = pendingCall.toolCalls.filter((call) => !answered.has(call.id));
    if (history.slice(lastAssistant + 1).every((message) => message.role === "tool") && !(await runTools(missing))) {
      return { messages: produced, stop: "approval_required", usage, pendingApprovals };
    }
  }

  for (let step = 1; step <= definition.parameters.maxSteps; step += 1) {
    const messages: ChatMessage[] = [{ role: "system", content: system }, ...history];
    const estimatedInputTokens = messages.reduce((sum, message) => sum + estimateTokens(messageText(message)), 0) + toolsTokens;
    const primary = targets[0];
    if (!primary) break;
    const price = resolvePrice(primary.adapter.provider, primary.model, usageSettings.pricing);
    const { maxTokens } = await reserveCall(db, {
      projectId: agent.projectId,
      agentId: agent.id,
      runId: input.runId,
      agentBudgets: definition.budgets,
      projectBudgets: usageSettings.budgets,
      price,
      estimatedInputTokens,
      requestedMaxTokens: definition.parameters.maxTokens ?? anthropicDefaultMaxTokens,
    });
    const started = performance.now();
    const onStream = input.stream
      ? (event: ChatStreamEvent) => {
          if (event.type === "text") input.onEvent?.({ type: "text", delta: event.delta });
        }
      : undefined;
    let answer: Awaited<ReturnType<ModelGateway["callWithFallback"]>>;
    try {
      answer = await withSpan(
        "llm.chat",
        {
          "gen_ai.system": primary.adapter.provider,
          "gen_ai.request.model": primary.model,
          "gen_ai.request.max_tokens": maxTokens,
          "gathering.agent.id": agent.id,
          "gathering.run.kind": input.runKind,
          "gathering.run.id": input.runId,
          "gathering.step": step,
        },
        async (span) => {
          const called = await gateway.callWithFallback(
            targets,
            {
              model: primary.model,
              messages,
              ...(toolSpecs.length ? { tools: toolSpecs } : {}),
              temperature: definition.parameters.temperature,
              maxTokens,
              signal: input.signal,
            },
            onStream,
          );
          span.setAttributes({
            "gen_ai.response.model": called.result.model,
            "gen_ai.usage.input_tokens": called.result.usage.inputTokens,
            "gen_ai.usage.output_tokens": called.result.usage.outputTokens,
            "gathering.provider": called.result.provider,
            "gathering.fallbacks": called.fallbacks.length,
            "gathering.cost_usd":
              costMicros(resolvePrice(called.result.provider, called.result.model, usageSettings.pricing), called.result.usage) / 1_000_000,
          });
          return called;
        },
        { kind: SpanKind.CLIENT },
      );
    } catch (error) {
      const failure = error instanceof ModelCallError ? error : undefined;
      await insertModelCall(db, {
        projectId: agent.projectId,
        agentId: agent.id,
        runKind: input.runKind,
        runId: input.runId,
        provider: failure?.provider ?? primary.adapter.provider,
        model: primary.model,
        status: failure?.kind === "aborted" ? "aborted" : "error",
        errorKind: failure?.kind ?? "unknown",
        latencyMs: Math.round(performance.now() - started),
      });
      if (failure?.kind === "aborted") throw new AppError("BAD_REQUEST", "The reply was stopped", { reason: "aborted" }, { cause: error });
      throw new AppError(
        "UNAVAILABLE",
        `No model could answer: ${failure?.message ?? String(error)}`,
        { attempts: [...unavailable] },
        { cause: error },
      );
    }
    const { result } = answer;
    const fallbacks = [...unavailable, ...answer.fallbacks];
    const cost = costMicros(resolvePrice(result.provider, result.model, usageSettings.pricing), result.usage);
    usage.inputTokens += result.usage.inputTokens;
    usage.outputTokens += result.usage.outputTokens;
    usage.costMicros += cost;
    const [assistant] = await persist(
      [
        {
          sessionId,
          projectId: agent.projectId,
          role: "assistant",
          content: result.text,
          toolCalls: result.toolCalls.length ? result.toolCalls : null,
          provider: result.provider,
          model: result.model,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          costMicros: cost,
          fallbacks: fallbacks.length ? fallbacks : null,
          citations: citationsIn(result.text, citable).length ? citationsIn(result.text, citable) : null,
        },
      ],
      {
        projectId: agent.projectId,
        agentId: agent.id,
        runKind: input.runKind,
        runId: input.runId,
        provider: result.provider,
        model: result.model,
        status: "ok",
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        costMicros: cost,
        latencyMs: Math.round(performance.now() - started),
        fallbacks: fallbacks.length ? fallbacks : null,
      },
    );
    history.push({ role: "assistant", content: result.text, ...(result.toolCalls.length ? { toolCalls: result.toolCalls } : {}) });
    if (result.toolCalls.length === 0 || !assistant) return { messages: produced, stop: "end", usage, pendingApprovals };

    if (!(await runTools(result.toolCalls))) return { messages: produced, stop: "approval_required", usage, pendingApprovals };
  }
  return { messages: produced, stop: "step_limit", usage, pendingApprovals };
}

/** How many agents deep `ask_agent` may delegate (A asks B asks C), so delegation cannot loop. */
export const maxDelegationDepth = 3;

/**
 * ask_agent: runs another agent of the project on one question, in a transcript of its own (a session of
 * kind "task", billed to that agent and run), and answers with its final reply.
 */
async function askAnotherAgent(
  runtime: AgentRuntime,
  input: {
    projectId: string;
    userId: string | null;
    callerAgentId: string;
    agentName: string;
    question: string;
    depth: number;
    signal: AbortSignal;
  },
): Promise<string> {
  if (input.depth >= maxDelegationDepth) {
    throw new AppError(
      "PRECONDITION_FAILED",
      `Agents may delegate at most ${maxDelegationDepth} levels deep; answer without asking further`,
    );
  }
  const row = await findLiveAgentByName(runtime.db, { projectId: input.projectId, name: input.agentName });
  if (!row) throw new AppError("NOT_FOUND", `There is no agent named "${input.agentName}" in this project`);
  if (row.id === input.callerAgentId) throw new AppError("BAD_REQUEST", "An agent cannot ask itself");
  const agent = await loadAgentForRun(runtime.db, { projectId: input.projectId, agentId: row.id });
  const session = await runtime.db.transaction(async (tx) => {
    const created = await insertChatSession(tx, {
      projectId: input.projectId,
      agentId: agent.id,
      userId: input.userId,
      kind: "task",
      title: `Asked by another agent: ${input.question.replace(/\s+/g, " ").slice(0, 60)}`,
    });
    await insertChatMessages(tx, [{ sessionId: created.id, projectId: input.projectId, role: "user", content: input.question }]);
    return created;
  });
  const outcome = await runAgentTurn(
    { ...runtime, toolServices: { ...runtime.toolServices, delegationDepth: input.depth + 1 } },
    { agent, sessionId: session.id, userId: input.userId, runKind: "task", runId: session.id, stream: false, signal: input.signal },
  );
  return outcome.messages.findLast((message) => message.role === "assistant")?.content ?? "";
}
