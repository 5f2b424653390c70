/**
 * The circle engine: one turn per job. A turn reads the run, decides who speaks (the strategy), records
 * that decision with the speaker's fresh transcript (a chat session) before calling any model, lets the
 * agent speak through the agent runtime, then commits the turn's message, usage, task-board changes and
 * the next turn's job in one transaction under the run's lock. A crash before the commit resumes the same
 * turn from its transcript (no model call repeated once its answer is stored); a crash after it finds the
 * turn done. The unique (run, turn) key makes committing a turn twice impossible.
 */
import {
  type ChatMessageRow,
  type CircleBoardItemRow,
  type CircleMessageRow,
  type CircleRunRow,
  findCircleRunById,
  findCircleRunStatus,
  insertChatMessages,
  insertChatSession,
  insertCircleBoardItems,
  insertCircleMessages,
  insertCircleTurn,
  listChatMessages,
  listCircleBoardItems,
  listCircleMessages,
  lockCircleRun,
  type Transaction,
  updateCircleBoardItem,
  updateCircleRunRow,
} from "@gathering/db";
import { loadAgentForRun } from "../agents/agents";
import { type AgentRuntime, type LoadedAgent, runAgentTurn } from "../agents/runtime";
import { AppError, isAppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { builtinTools } from "../tools/catalog";
import type { ToolDefinition } from "../tools/registry";
import {
  type CircleRunConfig,
  type CircleRunState,
  type CircleStopReason,
  type CircleTurnPlan,
  maxHierarchicalReviews,
  ZCircleRunConfig,
  ZCircleRunState,
} from "./definition";
import { type CircleQueue, publishRunChanged } from "./runs";
import {
  type CircleEffect,
  type CircleToolServices,
  type CircleTurnScope,
  circleToolNames,
  circleTools,
  collectEffects,
  type TranscriptRow,
} from "./tools";

export interface CircleEngine extends AgentRuntime {
  queue: CircleQueue;
  /** Streams a speaking member's text deltas (`agent.token`, ephemeral); absent: no streaming. */
  publishToken?: (projectId: string, delta: { streamId: string; messageId: string; delta: string; index: number }) => void;
  /** How often a turn in flight checks whether its run was cancelled. */
  cancelPollMs?: number;
}

export type CircleTurnOutcome = "committed" | "ended" | "skipped" | "waiting" | "cancelled";

/** The stream id a run's live tokens carry (`agent.token`); the message id is `turn-{n}`. */
export function circleStreamId(runId: string): string {
  return `circle-run:${runId}`;
}

const registries = new WeakMap<ReadonlyMap<string, ToolDefinition>, ReadonlyMap<string, ToolDefinition>>();
function registryWithCircleTools(base: ReadonlyMap<string, ToolDefinition>): ReadonlyMap<string, ToolDefinition> {
  let merged = registries.get(base);
  if (!merged) {
    merged = new Map([...base, ...circleTools.map((tool) => [tool.name, tool] as const)]);
    registries.set(base, merged);
  }
  return merged;
}

type Member = CircleRunConfig["members"][number];

function nextAfter(members: readonly Member[], agentId: string | undefined): Member {
  const index = agentId ? members.findIndex((member) => member.agentId === agentId) : -1;
  const next = members[(index + 1) % members.length];
  if (!next) throw new AppError("INTERNAL", "The circle has no members");
  return next;
}

function memberByName(config: CircleRunConfig, name: string | undefined): Member | undefined {
  if (!name) return undefined;
  const wanted = name.trim().toLowerCase();
  return config.members.find((member) => member.name.toLowerCase() === wanted);
}

/** The selector's reply read as a member: the exact name, or the one member named in it. */
export function parseSelection(text: string, members: readonly Member[]): Member | undefined {
  const cleaned = text
    .trim()
    .replace(/^[\s"'`*]+|[\s"'`*.!]+$/g, "")
    .toLowerCase();
  const exact = members.find((member) => member.name.toLowerCase() === cleaned);
  if (exact) return exact;
  const lower = text.toLowerCase();
  const named = members.filter((member) => member.name && lower.includes(member.name.toLowerCase()));
  return named.length === 1 ? named[0] : undefined;
}

/**
 * Applies the deterministic fallbacks: an invalid choice, or the same member twice in a row, gives the
 * turn to the member after the last speaker, so a selector can never keep a run on one speaker.
 */
export function decideSelection(
  members: readonly Member[],
  choice: string,
  lastSpeakerId: string | undefined,
): { speaker: Member; fallback: "invalid" | "repeat" | null } {
  const picked = parseSelection(choice, members);
  if (!picked) return { speaker: nextAfter(members, lastSpeakerId), fallback: "invalid" };
  if (members.length > 1 && picked.agentId === lastSpeakerId) return { speaker: nextAfter(members, lastSpeakerId), fallback: "repeat" };
  return { speaker: picked, fallback: null };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const transcriptBudgetChars = 24_000;

function renderTranscript(messages: readonly CircleMessageRow[], names: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  let used = 0;
  // Newest first until the budget is spent, then back in order: the latest turns matter most.
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (!message) continue;
    const author =
      message.authorKind === "agent"
        ? (names.get(message.agentId ?? "") ?? "A member")
        : message.authorKind === "user"
          ? "The person who started the run"
          : "Note";
    const line = `[turn ${message.turnNumber}] ${author}: ${clip(message.content, 6_000)}`;
    if (used + line.length > transcriptBudgetChars && lines.length > 0) {
      lines.push(`(${index + 1} earlier messages left out)`);
      break;
    }
    used += line.length;
    lines.push(line);
  }
  return lines.reverse().join("\n\n");
}

function renderBoard(board: readonly CircleBoardItemRow[], names: ReadonlyMap<string, string>): string {
  if (board.length === 0) return "(empty)";
  return board
    .map((item) => {
      const owner = item.ownerAgentId ? (names.get(item.ownerAgentId) ?? "?") : "unassigned";
      const result = item.result ? `\n   result: ${clip(item.result, 1_500)}` : "";
      const description = item.description ? ` - ${clip(item.description, 500)}` : "";
      return `#${item.number} [${item.status}] ${item.title}${description} (owner: ${owner})${result}`;
    })
    .join("\n");
}

function namesOf(config: CircleRunConfig): Map<string, string> {
  const names = new Map(config.members.map((member) => [member.agentId, member.name]));
  if (config.coordinator) names.set(config.coordinator.agentId, config.coordinator.name);
  return names;
}

function instructionsFor(
  run: CircleRunRow,
  config: CircleRunConfig,
  plan: Omit<CircleTurnPlan, "sessionId">,
  state: CircleRunState,
  board: readonly CircleBoardItemRow[],
): string {
  const others = config.members.filter((member) => member.agentId !== plan.speakerId).map((member) => member.name);
  if (run.kind === "conversation")
    return "Reply to what the others said, in your own voice; build on it, question it or add to it. Keep it to a few paragraphs.";
  switch (config.strategy) {
    case "sequential":
      return "Members work one after another. Build on the work above and pass a better result on; the last member's answer is the circle's result.";
    case "round_robin":
    case "selector":
      return "Contribute your part to the task, building on the transcript. When the whole task is done, call `finish` with the final result.";
    case "handoff":
      return `Do your part. Then either call \`handoff\` to pass control to another member (${others.join(", ")}) with a note, or, if the task is done, call \`finish\` with the final result. If you do neither, your answer is taken as the final result.`;
    case "hierarchical": {
      if (plan.purpose === "plan")
        return `You manage this circle. Split the task into subtasks with \`board_add\`, one call per subtask, each with an owner among: ${config.members.map((member) => member.name).join(", ")}. Then reply with a short plan.`;
      if (plan.purpose === "review") {
        const canAdd = (state.reviews ?? 0) < maxHierarchicalReviews;
        return canAdd
          ? "Every subtask is done. Review the results on the board. If something is missing or wrong, add follow-up subtasks with `board_add`; otherwise reply with the final answer that synthesises the results."
          : "Every subtask is done and there is no room for more rounds. Reply with the final answer that synthesises the results on the board.";
      }
      const item = board.find((entry) => entry.number === plan.focusItem);
      return `Your subtask is #${plan.focusItem}${item ? `: ${item.title}${item.description ? ` - ${item.description}` : ""}` : ""}. Do it and reply with the result; your reply is recorded on the board as the subtask's result.`;
    }
  }
}

function renderTurnPrompt(
  run: CircleRunRow,
  config: CircleRunConfig,
  plan: Omit<CircleTurnPlan, "sessionId">,
  state: CircleRunState,
  messages: readonly CircleMessageRow[],
  board: readonly CircleBoardItemRow[],
): string {
  const names = namesOf(config);
  const self = config.members.find((member) => member.agentId === plan.speakerId);
  const isCoordinator = config.coordinator?.agentId === plan.speakerId && !self;
  const roster = config.members.map((member) => `- ${member.name}${member.role ? `: ${member.role}` : ""}`).join("\n");
  const header =
    run.kind === "conversation"
      ? `You are ${names.get(plan.speakerId)}, in a conversation with other agents.\nParticipants:\n${roster}\n\nTopic:\n${run.task}`
      : `You are ${names.get(plan.speakerId)}, ${isCoordinator ? "the manager" : "a member"} of the circle "${config.name}".${self?.role ? ` Your role in this circle: ${self.role}` : ""}\nMembers:\n${roster}\n\nTask:\n${run.task}`;
  const transcript = messages.length ? renderTranscript(messages, names) : "(nothing yet: you speak first)";
  const boardText = run.kind === "conversation" ? "" : `\n\nTask board:\n${renderBoard(board, names)}`;
  return `${header}${boardText}\n\nTranscript so far:\n${transcript}\n\nIt is your turn (turn ${plan.turn} of at most ${config.termination.maxTurns}). ${instructionsFor(run, config, plan, state, board)}`;
}

function renderSelectionPrompt(run: CircleRunRow, config: CircleRunConfig, messages: readonly CircleMessageRow[], turn: number): string {
  const roster = config.members.map((member) => `- ${member.name}${member.role ? `: ${member.role}` : ""}`).join("\n");
  const transcript = messages.length ? renderTranscript(messages, namesOf(config)) : "(nothing yet)";
  return `You choose who speaks next in the circle "${config.name}" (turn ${turn}).\nTask:\n${run.task}\n\nMembers:\n${roster}\n\nTranscript so far:\n${transcript}\n\nReply with only the name of the member who should speak next.`;
}

/** The tools a speaker gets this turn, beside its own. */
function circleToolsFor(
  config: CircleRunConfig,
  run: CircleRunRow,
  plan: Omit<CircleTurnPlan, "sessionId">,
  state: CircleRunState,
): string[] {
  if (run.kind === "conversation") return [];
  if (config.strategy === "hierarchical") {
    if (plan.purpose === "plan") return ["board_add", "finish"];
    if (plan.purpose === "review")
      return (state.reviews ?? 0) < maxHierarchicalReviews ? ["board_add", "board_update", "finish"] : ["finish"];
    return ["board_update"];
  }
  return config.strategy === "handoff" ? ["handoff", "finish", "board_add", "board_update"] : ["finish", "board_add", "board_update"];
}

function forCircle(agent: LoadedAgent, extraTools: readonly string[], maxSteps?: number): LoadedAgent {
  const definition = agent.definition;
  return {
    ...agent,
    definition: {
      ...definition,
      tools: [...new Set([...definition.tools.filter((name) => !circleToolNames.has(name)), ...extraTools])],
      // The circle's transcript is the shared memory; recall and profiles would bring in unrelated chats.
      memory: {
        ...definition.memory,
        longTermEnabled: false,
        profileEnabled: false,
        shortTermTokens: Math.max(definition.memory.shortTermTokens, 32_000),
      },
      parameters: maxSteps ? { ...definition.parameters, maxSteps } : definition.parameters,
    },
  };
}

function sumUsage(rows: readonly TranscriptRow[]) {
  let inputTokens = 0;
  let outputTokens = 0;
  let costMicros = 0;
  for (const row of rows) {
    inputTokens += row.inputTokens;
    outputTokens += row.outputTokens;
    costMicros += row.costMicros;
  }
  return { inputTokens, outputTokens, costMicros };
}

function isFinalAnswer(rows: readonly TranscriptRow[]): boolean {
  const last = rows.at(-1);
  return last?.role === "assistant" && !last.toolCalls;
}

function limitReached(
  run: Pick<CircleRunRow, "inputTokens" | "outputTokens" | "costMicros" | "timeoutAt">,
  config: CircleRunConfig,
  now: Date,
): CircleStopReason | null {
  const { termination } = config;
  if (termination.maxTokens !== undefined && run.inputTokens + run.outputTokens >= termination.maxTokens) return "token_budget";
  if (termination.maxCostMicros !== undefined && run.costMicros >= termination.maxCostMicros) return "cost_budget";
  if (run.timeoutAt && now.getTime() >= run.timeoutAt.getTime()) return "timeout";
  return null;
}

function statusFor(reason: CircleStopReason): "succeeded" | "stopped" | "failed" | "cancelled" {
  if (reason === "user_stop") return "cancelled";
  if (reason === "error") return "failed";
  if (reason === "max_turns" || reason === "token_budget" || reason === "cost_budget" || reason === "timeout") return "stopped";
  return "succeeded";
}

/** Ends a run that is still running or paused; returns false when it had already ended. */
async function endRun(
  tx: Transaction,
  runId: string,
  reason: CircleStopReason,
  values: { result?: string | null; error?: string | null } = {},
) {
  const run = await lockCircleRun(tx, runId);
  if (!run || (run.status !== "running" && run.status !== "paused")) return false;
  const state = ZCircleRunState.parse(run.state);
  const row = await updateCircleRunRow(tx, {
    runId,
    values: {
      status: statusFor(reason),
      stopReason: reason,
      finishedAt: new Date(),
      state: { ...state, pending: undefined, selecting: undefined },
      ...values,
    },
  });
  if (row) await publishRunChanged(tx, row);
  return true;
}

async function lastAgentContent(tx: Transaction, runId: string): Promise<string | null> {
  const messages = await listCircleMessages(tx, runId);
  return messages.findLast((message) => message.authorKind === "agent")?.content ?? null;
}

/** Runs a model in a session that already holds its prompt, unless its answer is already stored. */
async function speakIn(
  engine: CircleEngine,
  input: {
    agent: LoadedAgent;
    run: CircleRunRow;
    sessionId: string;
    /** The session's messages as stored now (read by the caller, or just written with the prompt). */
    rows: ChatMessageRow[];
    signal: AbortSignal;
    scope?: CircleTurnScope;
    streamAs?: string;
  },
): Promise<{ rows: TranscriptRow[]; waiting: boolean }> {
  const { rows } = input;
  if (isFinalAnswer(rows)) return { rows, waiting: false };
  let index = 0;
  const publish = engine.publishToken;
  const streamAs = input.streamAs;
  const toolServices: CircleToolServices = { ...engine.toolServices, ...(input.scope ? { circleTurn: input.scope } : {}) };
  const outcome = await runAgentTurn(
    { ...engine, tools: registryWithCircleTools(engine.tools ?? builtinTools), toolServices },
    {
      agent: input.agent,
      sessionId: input.sessionId,
      userId: input.run.createdBy,
      runKind: "task",
      runId: input.run.id,
      stream: Boolean(publish && streamAs),
      signal: input.signal,
      prepared: { history: { summary: "", rows } },
      ...(publish && streamAs
        ? {
            onEvent: (event) => {
              if (event.type !== "text" || !event.delta) return;
              publish(input.run.projectId, {
                streamId: circleStreamId(input.run.id),
                messageId: streamAs,
                delta: event.delta.slice(0, 2_000),
                index,
              });
              index += 1;
            },
          }
        : {}),
    },
  );
  return { rows: [...rows, ...outcome.messages], waiting: outcome.stop === "approval_required" };
}

async function openSession(tx: Transaction, run: CircleRunRow, agentId: string, title: string, prompt: string) {
  const session = await insertChatSession(tx, {
    projectId: run.projectId,
    agentId,
    userId: run.createdBy,
    kind: "task",
    title: clip(title, 80),
  });
  const rows = await insertChatMessages(tx, [{ sessionId: session.id, projectId: run.projectId, role: "user", content: prompt }]);
  return { sessionId: session.id, rows };
}

/** Locks the run and checks that this turn is still the one to work on. */
async function lockForTurn(tx: Transaction, runId: string, turn: number) {
  const run = await lockCircleRun(tx, runId);
  if (run?.status !== "running" || run.turnsCompleted !== turn - 1) return undefined;
  return run;
}

interface Decided {
  speakerId: string;
  purpose: CircleTurnPlan["purpose"];
  focusItem?: number;
  selection?: CircleTurnPlan["selection"];
}

function openItems(board: readonly CircleBoardItemRow[]) {
  return board.filter((item) => item.status === "open" || item.status === "in_progress");
}

function ownerOf(config: CircleRunConfig, item: CircleBoardItemRow): string {
  if (item.ownerAgentId && config.members.some((member) => member.agentId === item.ownerAgentId)) return item.ownerAgentId;
  const fallback = config.members[(item.number - 1) % config.members.length];
  if (!fallback) throw new AppError("INTERNAL", "The circle has no members");
  return fallback.agentId;
}

async function decideSpeaker(
  engine: CircleEngine,
  input: {
    run: CircleRunRow;
    config: CircleRunConfig;
    state: CircleRunState;
    turn: number;
    messages: CircleMessageRow[];
    board: CircleBoardItemRow[];
    signal: AbortSignal;
  },
): Promise<Decided | "waiting" | "skipped"> {
  const { run, config, state, turn } = input;
  const members = config.members;
  switch (config.strategy) {
    case "sequential":
    case "round_robin": {
      const member = members[(turn - 1) % members.length];
      if (!member) throw new AppError("INTERNAL", "The circle has no members");
      return { speakerId: member.agentId, purpose: "speak" };
    }
    case "handoff":
      return { speakerId: state.nextSpeakerId ?? members[0]?.agentId ?? "", purpose: "speak" };
    case "hierarchical": {
      const manager = config.coordinator?.agentId ?? "";
      if ((state.phase ?? "plan") === "plan") return { speakerId: manager, purpose: "plan" };
      const next = openItems(input.board)[0];
      if (state.phase === "work" && next) return { speakerId: ownerOf(config, next), purpose: "speak", focusItem: next.number };
      return { speakerId: manager, purpose: "review" };
    }
    case "selector": {
      const coordinator = config.coordinator;
      if (!coordinator) throw new AppError("PRECONDITION_FAILED", "The selector is missing");
      let sessionId = state.selecting?.turn === turn ? state.selecting.sessionId : undefined;
      if (!sessionId) {
        const prompt = renderSelectionPrompt(run, config, input.messages, turn);
        sessionId = await engine.db.transaction(async (tx) => {
          const locked = await lockForTurn(tx, run.id, turn);
          if (!locked) return undefined;
          const opened = await openSession(tx, run, coordinator.agentId, `${config.name}: who speaks at turn ${turn}`, prompt);
          await updateCircleRunRow(tx, {
            runId: run.id,
            values: { state: { ...ZCircleRunState.parse(locked.state), selecting: { turn, sessionId: opened.sessionId } } },
          });
          return opened.sessionId;
        });
        if (!sessionId) return "skipped";
      }
      const loaded = forCircle(await loadAgentForRun(engine.db, { projectId: run.projectId, agentId: coordinator.agentId }), [], 1);
      // Choosing is one answer, no tools.
      const agent = { ...loaded, definition: { ...loaded.definition, tools: [] } };
      const stored = await listChatMessages(engine.db, { sessionId });
      const { rows, waiting } = await speakIn(engine, { agent, run, sessionId, rows: stored, signal: input.signal });
      if (waiting) return "waiting";
      const choice = rows.findLast((row) => row.role === "assistant")?.content ?? "";
      const lastSpeaker = state.picks.at(-1)?.speakerId;
      const { speaker, fallback } = decideSelection(members, choice, lastSpeaker);
      return { speakerId: speaker.agentId, purpose: "speak", selection: { sessionId, choice: clip(choice, 200), fallback } };
    }
  }
}

/** The worker's part: runs turn `turn` of the run, or does nothing if that turn is not due. */
export async function executeCircleTurn(
  engine: CircleEngine,
  input: { runId: string; turn: number; attempt: number; maxAttempts: number; signal: AbortSignal },
): Promise<CircleTurnOutcome> {
  const { db } = engine;
  const run = await findCircleRunById(db, input.runId);
  if (run?.status !== "running") return "skipped";
  if (run.turnsCompleted !== input.turn - 1) return "skipped";
  const config = ZCircleRunConfig.parse(run.config);
  const state = ZCircleRunState.parse(run.state);
  const now = engine.now?.() ?? new Date();
  const limit = limitReached(run, config, now) ?? (input.turn > config.termination.maxTurns ? "max_turns" : null);
  if (limit) {
    await db.transaction(async (tx) => endRun(tx, run.id, limit, { result: await lastAgentContent(tx, run.id) }));
    return "ended";
  }

  const controller = new AbortController();
  let abortReason: "cancelled" | "timeout" | "shutdown" | undefined;
  const abort = (reason: "cancelled" | "timeout" | "shutdown") => {
    abortReason ??= reason;
    controller.abort(new AppError("BAD_REQUEST", `The turn was stopped (${reason})`));
  };
  const onShutdown = () => abort("shutdown");
  input.signal.addEventListener("abort", onShutdown, { once: true });
  const timeoutTimer = run.timeoutAt ? setTimeout(() => abort("timeout"), Math.max(0, run.timeoutAt.getTime() - now.getTime())) : undefined;
  const poll = setInterval(() => {
    findCircleRunStatus(db, run.id)
      .then((status) => {
        if (status === "cancelled") abort("cancelled");
      })
      .catch(() => {});
  }, engine.cancelPollMs ?? 1000);

  try {
    const [messages, board] = await Promise.all([listCircleMessages(db, run.id), listCircleBoardItems(db, run.id)]);
    let plan: CircleTurnPlan | undefined = state.pending?.turn === input.turn ? state.pending : undefined;
    let transcript: ChatMessageRow[] | undefined;
    let loading: Promise<LoadedAgent> | undefined;
    if (!plan) {
      const decided = await decideSpeaker(engine, { run, config, state, turn: input.turn, messages, board, signal: controller.signal });
      if (decided === "skipped") return "skipped";
      if (decided === "waiting") return await waitForApproval(engine, run.id);
      // The speaker's definition loads while the plan is recorded.
      loading = loadAgentForRun(db, { projectId: run.projectId, agentId: decided.speakerId });
      loading.catch(() => {});
      const draft: Omit<CircleTurnPlan, "sessionId"> = { turn: input.turn, ...decided };
      const prompt = renderTurnPrompt(run, config, draft, state, messages, board);
      const speakerName = namesOf(config).get(decided.speakerId) ?? "member";
      const recorded = await db.transaction(async (tx) => {
        const locked = await lockForTurn(tx, run.id, input.turn);
        if (!locked) return undefined;
        const opened = await openSession(tx, run, decided.speakerId, `${config.name}: ${speakerName}, turn ${input.turn}`, prompt);
        const pending: CircleTurnPlan = { ...draft, sessionId: opened.sessionId };
        await updateCircleRunRow(tx, {
          runId: run.id,
          values: { state: { ...ZCircleRunState.parse(locked.state), pending, selecting: undefined } },
        });
        return { pending, rows: opened.rows };
      });
      if (!recorded) return "skipped";
      plan = recorded.pending;
      transcript = recorded.rows;
    }
    // Resuming a turn: its transcript may already hold tool calls, results, or the answer itself.
    transcript ??= await listChatMessages(db, { sessionId: plan.sessionId });

    const scope: CircleTurnScope = {
      selfAgentId: plan.speakerId,
      members: config.members,
      boardNumbers: new Set(board.map((item) => item.number)),
      nextBoardNumber: board.length + 1,
    };
    // Board items the transcript already added count as existing.
    for (const effect of collectEffects(transcript)) {
      if (effect.kind === "board_add") {
        scope.boardNumbers.add(scope.nextBoardNumber);
        scope.nextBoardNumber += 1;
      }
    }
    const circleToolList = circleToolsFor(config, run, plan, state);
    const agent = forCircle(await (loading ?? loadAgentForRun(db, { projectId: run.projectId, agentId: plan.speakerId })), circleToolList);
    const { rows, waiting } = await speakIn(engine, {
      agent,
      run,
      sessionId: plan.sessionId,
      rows: transcript,
      signal: controller.signal,
      scope,
      streamAs: `turn-${input.turn}`,
    });
    if (waiting) return await waitForApproval(engine, run.id);
    const selectionRows = plan.selection ? await listChatMessages(db, { sessionId: plan.selection.sessionId }) : [];
    return await commitTurn(engine, { run, config, plan, rows, selectionRows, board, startedAt: now });
  } catch (error) {
    if (abortReason === "cancelled" || (await findCircleRunStatus(db, run.id)) === "cancelled") return "cancelled";
    if (abortReason === "timeout") {
      await db.transaction(async (tx) => endRun(tx, run.id, "timeout", { result: await lastAgentContent(tx, run.id) }));
      return "ended";
    }
    if (input.signal.aborted) throw error;
    // Model outages and unexpected failures (a lost connection) are worth another attempt; the turn resumes.
    const isRetryable = !isAppError(error) || error.code === "UNAVAILABLE";
    if (isRetryable && input.attempt < input.maxAttempts) throw error;
    const message = isAppError(error) ? `${error.code}: ${error.message}` : "The turn failed unexpectedly";
    if (!isAppError(error)) engine.logger.error({ err: error, runId: run.id, turn: input.turn }, "circle turn failed");
    await db.transaction(async (tx) => endRun(tx, run.id, "error", { error: message, result: await lastAgentContent(tx, run.id) }));
    return "ended";
  } finally {
    clearInterval(poll);
    if (timeoutTimer) clearTimeout(timeoutTimer);
    input.signal.removeEventListener("abort", onShutdown);
  }
}

/** A tool call waits for a person: the run pauses; resuming it after the decision continues the same turn. */
async function waitForApproval(engine: CircleEngine, runId: string): Promise<CircleTurnOutcome> {
  await engine.db.transaction(async (tx) => {
    const run = await lockCircleRun(tx, runId);
    if (run?.status !== "running") return;
    const row = await updateCircleRunRow(tx, { runId, values: { status: "paused" } });
    const [note] = await insertCircleMessages(tx, [
      {
        runId,
        projectId: run.projectId,
        turnNumber: run.turnsCompleted + 1,
        authorKind: "system",
        content: "A tool call waits for approval; the run is paused. Decide on it under Tools, then resume the run.",
        createdAt: new Date(),
      },
    ]);
    if (note)
      await publishEvent(tx, run.projectId, "circle_messages.added", {
        runId,
        messageId: note.id,
        turnNumber: note.turnNumber,
        authorKind: "system",
      });
    if (row) await publishRunChanged(tx, row);
  });
  return "waiting";
}

function toolCallSummary(rows: readonly TranscriptRow[]) {
  const results = new Map(rows.filter((row) => row.role === "tool").map((row) => [row.toolCallId, row]));
  const calls: Array<{ name: string; arguments: unknown; isError: boolean; result: string }> = [];
  for (const row of rows) {
    if (row.role !== "assistant" || !Array.isArray(row.toolCalls)) continue;
    for (const call of row.toolCalls as Array<{ id: string; name: string; arguments: unknown }>) {
      const result = results.get(call.id);
      calls.push({
        name: call.name,
        arguments: call.arguments,
        isError: result?.isError ?? true,
        result: clip(result?.content ?? "", 2_000),
      });
    }
  }
  return calls;
}

/** Writes the turn and moves the run on, in one transaction; the next turn's job is enqueued in it. */
async function commitTurn(
  engine: CircleEngine,
  input: {
    run: CircleRunRow;
    config: CircleRunConfig;
    plan: CircleTurnPlan;
    rows: TranscriptRow[];
    selectionRows: TranscriptRow[];
    board: CircleBoardItemRow[];
    startedAt: Date;
  },
): Promise<CircleTurnOutcome> {
  const { config, plan, rows } = input;
  const effects = collectEffects(rows);
  const usage = sumUsage([...rows, ...input.selectionRows]);
  const answer = rows.findLast((row) => row.role === "assistant");
  const finish = effects.find((effect): effect is Extract<CircleEffect, { kind: "finish" }> => effect.kind === "finish");
  const content = answer?.content.trim() || finish?.result || "(no reply)";
  const spoke = rows.filter((row) => row.role === "assistant");
  const lastModel = spoke.at(-1);

  return engine.db.transaction(async (tx) => {
    const run = await lockCircleRun(tx, input.run.id);
    if (!run || (run.status !== "running" && run.status !== "paused") || run.turnsCompleted !== plan.turn - 1) return "skipped";
    const state = ZCircleRunState.parse(run.state);
    const now = engine.now?.() ?? new Date();
    await insertCircleTurn(tx, {
      runId: run.id,
      projectId: run.projectId,
      turnNumber: plan.turn,
      agentId: plan.speakerId,
      purpose: plan.purpose,
      ...usage,
      startedAt: input.startedAt,
      finishedAt: now,
    });
    const calls = toolCallSummary(rows);
    const [message] = await insertCircleMessages(tx, [
      {
        runId: run.id,
        projectId: run.projectId,
        turnNumber: plan.turn,
        authorKind: "agent",
        agentId: plan.speakerId,
        content,
        toolCalls: calls.length ? calls : null,
        provider: lastModel?.provider ?? null,
        model: lastModel?.model ?? null,
        ...usage,
        createdAt: now,
      },
    ]);

    // The task board: additions numbered in order after what exists, then updates.
    // The board as the turn started: only turns change it, and this one holds the run's lock now.
    const { board } = input;
    const adds = effects.filter((effect): effect is Extract<CircleEffect, { kind: "board_add" }> => effect.kind === "board_add");
    const added = await insertCircleBoardItems(
      tx,
      adds.map((effect, index) => ({
        runId: run.id,
        projectId: run.projectId,
        number: board.length + 1 + index,
        title: effect.title,
        description: effect.description,
        ownerAgentId: memberByName(config, effect.owner)?.agentId ?? null,
        createdTurn: plan.turn,
      })),
    );
    const updatedNumbers = new Set<number>();
    for (const effect of effects) {
      if (effect.kind !== "board_update") continue;
      updatedNumbers.add(effect.number);
      await updateCircleBoardItem(tx, {
        runId: run.id,
        number: effect.number,
        values: {
          ...(effect.status ? { status: effect.status } : {}),
          ...(effect.result !== undefined ? { result: effect.result } : {}),
          ...(effect.owner ? { ownerAgentId: memberByName(config, effect.owner)?.agentId ?? null } : {}),
        },
      });
    }

    const next: CircleRunState = { ...state, pending: undefined, selecting: undefined };
    if (plan.selection) {
      next.picks = [
        ...state.picks,
        { turn: plan.turn, choice: plan.selection.choice, speakerId: plan.speakerId, fallback: plan.selection.fallback },
      ];
    }
    let stop: CircleStopReason | null = null;
    let result: string | null = null;
    const handoff = effects.findLast((effect): effect is Extract<CircleEffect, { kind: "handoff" }> => effect.kind === "handoff");

    if (config.strategy === "hierarchical" && run.kind === "circle") {
      if (plan.purpose === "plan") {
        if (added.length === 0) {
          // A manager that planned nothing: the whole task becomes one subtask for the first member.
          const first = config.members[0];
          await insertCircleBoardItems(tx, [
            {
              runId: run.id,
              projectId: run.projectId,
              number: board.length + 1,
              title: clip(run.task.replace(/\s+/g, " "), 200),
              description: "",
              ownerAgentId: first?.agentId ?? null,
              createdTurn: plan.turn,
            },
          ]);
        }
        next.phase = "work";
      } else if (plan.purpose === "speak") {
        if (plan.focusItem !== undefined && !updatedNumbers.has(plan.focusItem)) {
          await updateCircleBoardItem(tx, { runId: run.id, number: plan.focusItem, values: { status: "done", result: content } });
        }
        next.phase = "work";
      } else if (added.length > 0 && (state.reviews ?? 0) < maxHierarchicalReviews) {
        next.phase = "work";
        next.reviews = (state.reviews ?? 0) + 1;
      } else {
        stop = "completed";
        result = content;
      }
      if (next.phase === "work" && !stop) {
        const remaining = openItems(await listCircleBoardItems(tx, run.id));
        if (remaining.length === 0) next.phase = "review";
      }
    }

    if (finish) {
      stop = "finished";
      result = finish.result;
    } else if (
      !stop &&
      config.termination.completionPhrase &&
      content.toLowerCase().includes(config.termination.completionPhrase.toLowerCase())
    ) {
      stop = "completion_phrase";
      result = content;
    } else if (!stop && config.strategy === "sequential" && plan.turn >= config.members.length * config.rounds) {
      stop = "sequence_complete";
      result = content;
    } else if (!stop && config.strategy === "handoff" && run.kind === "circle") {
      const target = handoff ? memberByName(config, handoff.to) : undefined;
      if (target && target.agentId !== plan.speakerId) next.nextSpeakerId = target.agentId;
      else {
        stop = "completed";
        result = content;
      }
    }
    const totals = {
      inputTokens: run.inputTokens + usage.inputTokens,
      outputTokens: run.outputTokens + usage.outputTokens,
      costMicros: run.costMicros + usage.costMicros,
    };
    if (!stop) {
      const limit =
        limitReached({ ...totals, timeoutAt: run.timeoutAt }, config, now) ??
        (plan.turn >= config.termination.maxTurns ? "max_turns" : null);
      if (limit) {
        stop = limit;
        result = content;
      }
    }

    const row = await updateCircleRunRow(tx, {
      runId: run.id,
      values: {
        turnsCompleted: plan.turn,
        state: next,
        ...totals,
        ...(stop ? { status: statusFor(stop), stopReason: stop, result, finishedAt: now } : {}),
      },
    });
    if (!stop && run.status === "running") await engine.queue.enqueueTurn(tx, { runId: run.id, turn: plan.turn + 1 });
    if (message)
      await publishEvent(tx, run.projectId, "circle_messages.added", {
        runId: run.id,
        messageId: message.id,
        turnNumber: plan.turn,
        authorKind: "agent",
      });
    if (row) await publishRunChanged(tx, row);
    return stop ? "ended" : "committed";
  });
}
