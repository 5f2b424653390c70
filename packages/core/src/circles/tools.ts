/**
 * The tools a member has inside a circle: `finish` (the completion signal), `handoff` (pass control,
 * handoff strategy) and the shared task board (`board_add`, `board_update`). They only validate and
 * acknowledge: the engine reads what was called from the turn's persisted transcript and applies it in
 * the turn's commit, so a turn resumed after a crash applies each effect exactly once.
 */
import type { ChatMessageRow } from "@gathering/db";
import { z } from "zod";
import { AppError } from "../errors";
import { defineTool, type ToolContext, type ToolDefinition, type ToolServices } from "../tools/registry";

/** What the circle tools know about the turn they are called in. */
export interface CircleTurnScope {
  selfAgentId: string;
  members: ReadonlyArray<{ agentId: string; name: string }>;
  /** Numbers of board items that exist, including ones added earlier in this turn. */
  boardNumbers: Set<number>;
  nextBoardNumber: number;
}

/** ToolServices as the engine passes them to a circle turn (the runtime forwards services as given). */
export type CircleToolServices = ToolServices & { circleTurn?: CircleTurnScope };

function scopeOf(context: ToolContext): CircleTurnScope {
  const scope = (context.services as CircleToolServices).circleTurn;
  if (!scope) throw new AppError("PRECONDITION_FAILED", "This tool only works inside a circle");
  return scope;
}

function memberNamed(scope: CircleTurnScope, name: string) {
  const wanted = name.trim().toLowerCase();
  return scope.members.find((member) => member.name.toLowerCase() === wanted);
}

const boardStatuses = ["open", "in_progress", "done", "cancelled"] as const;

const ZFinish = z.object({ result: z.string().trim().min(1).max(50_000).describe("The final result of the circle's task") });
const ZHandoff = z.object({
  to: z.string().trim().min(1).max(100).describe("The member's name"),
  note: z.string().max(5_000).default("").describe("What the next member should know or do"),
});
const ZBoardAdd = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5_000).default(""),
  owner: z.string().trim().max(100).optional().describe("The member who should do it"),
});
const ZBoardUpdate = z.object({
  number: z.number().int().min(1),
  status: z.enum(boardStatuses).optional(),
  result: z.string().max(20_000).optional(),
  owner: z.string().trim().max(100).optional(),
});

export const finishTool = defineTool({
  name: "finish",
  category: "flow",
  description: "End the circle's work: call this once the whole task is done, with the final result for the person who asked.",
  input: ZFinish,
  async execute(_input, context) {
    scopeOf(context);
    return "Recorded. The circle's run ends after this turn; reply with a one-line closing note.";
  },
});

export const handoffTool = defineTool({
  name: "handoff",
  category: "flow",
  description: "Pass control to another member of the circle: they speak next. Say what you did and what they should do.",
  input: ZHandoff,
  async execute(input, context) {
    const scope = scopeOf(context);
    const target = memberNamed(scope, input.to);
    if (!target)
      throw new AppError("BAD_REQUEST", `No member is named "${input.to}"; members: ${scope.members.map((m) => m.name).join(", ")}`);
    if (target.agentId === scope.selfAgentId) throw new AppError("BAD_REQUEST", "You cannot hand off to yourself");
    return `${target.name} speaks next.`;
  },
});

export const boardAddTool = defineTool({
  name: "board_add",
  category: "flow",
  description: "Add a subtask to the circle's shared task board, optionally assigned to a member by name.",
  input: ZBoardAdd,
  async execute(input, context) {
    const scope = scopeOf(context);
    if (input.owner && !memberNamed(scope, input.owner)) {
      throw new AppError("BAD_REQUEST", `No member is named "${input.owner}"; members: ${scope.members.map((m) => m.name).join(", ")}`);
    }
    const number = scope.nextBoardNumber;
    scope.nextBoardNumber += 1;
    scope.boardNumbers.add(number);
    return { added: number, title: input.title };
  },
});

export const boardUpdateTool = defineTool({
  name: "board_update",
  category: "flow",
  description: "Update a subtask on the shared task board: its status, result or owner.",
  input: ZBoardUpdate,
  async execute(input, context) {
    const scope = scopeOf(context);
    if (!scope.boardNumbers.has(input.number)) throw new AppError("NOT_FOUND", `There is no subtask #${input.number}`);
    if (input.owner && !memberNamed(scope, input.owner)) throw new AppError("BAD_REQUEST", `No member is named "${input.owner}"`);
    return { updated: input.number };
  },
});

export const circleToolNames = new Set(["finish", "handoff", "board_add", "board_update"]);

export const circleTools: readonly ToolDefinition[] = [finishTool, handoffTool, boardAddTool, boardUpdateTool];

/** The parts of a transcript message the engine reads (stored rows and the runtime's returned messages both fit). */
export type TranscriptRow = Pick<
  ChatMessageRow,
  "role" | "content" | "toolCalls" | "toolCallId" | "isError" | "provider" | "model" | "inputTokens" | "outputTokens" | "costMicros"
>;

export type CircleEffect =
  | { kind: "finish"; result: string }
  | { kind: "handoff"; to: string; note: string }
  | { kind: "board_add"; title: string; description: string; owner?: string }
  | { kind: "board_update"; number: number; status?: (typeof boardStatuses)[number]; result?: string; owner?: string };

/** The circle tool calls of a turn that succeeded, in order, read back from its transcript. */
export function collectEffects(rows: readonly TranscriptRow[]): CircleEffect[] {
  const succeeded = new Set(rows.filter((row) => row.role === "tool" && !row.isError && row.toolCallId).map((row) => row.toolCallId));
  const effects: CircleEffect[] = [];
  for (const row of rows) {
    if (row.role !== "assistant" || !Array.isArray(row.toolCalls)) continue;
    for (const call of row.toolCalls as Array<{ id: string; name: string; arguments: Record<string, unknown> }>) {
      if (!circleToolNames.has(call.name) || !succeeded.has(call.id)) continue;
      const args = call.arguments;
      if (call.name === "finish") effects.push({ kind: "finish", result: ZFinish.parse(args).result });
      else if (call.name === "handoff") effects.push({ kind: "handoff", ...ZHandoff.parse(args) });
      else if (call.name === "board_add") effects.push({ kind: "board_add", ...ZBoardAdd.parse(args) });
      else effects.push({ kind: "board_update", ...ZBoardUpdate.parse(args) });
    }
  }
  return effects;
}
