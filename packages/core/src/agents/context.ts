/**
 * What the model sees on each turn: a system prompt (persona, goal, instructions, the working profile,
 * recalled long-term memories, the summary of older turns) and the session's recent messages within the
 * short-term token window. Turns that leave the window are folded into the session summary, never
 * dropped silently.
 */
import type { ChatMessageRow } from "@gathering/db";
import { estimateTokens } from "../llm/adapters/local";
import type { ChatMessage, ToolCall } from "../llm/types";
import type { RecalledMemory } from "./memory";

export interface PromptParts {
  name: string;
  role: string;
  goal: string;
  instructions: string;
  profile: Record<string, unknown> | null;
  memories: RecalledMemory[];
  summary: string;
  now: Date;
}

export function buildSystemPrompt(parts: PromptParts): string {
  const sections = [`You are ${parts.name}, ${parts.role}.`];
  if (parts.goal.trim()) sections.push(`Your goal: ${parts.goal.trim()}`);
  if (parts.instructions.trim()) sections.push(parts.instructions.trim());
  sections.push(`The current date and time is ${parts.now.toISOString()}.`);
  if (parts.profile && Object.keys(parts.profile).length > 0) {
    sections.push(`Your working profile of the user (keep it current with update_profile):\n${JSON.stringify(parts.profile)}`);
  }
  if (parts.memories.length > 0) {
    sections.push(`Things you remember from earlier conversations:\n${parts.memories.map((memory) => `- ${memory.content}`).join("\n")}`);
  }
  if (parts.summary.trim()) sections.push(`Summary of the earlier part of this conversation:\n${parts.summary.trim()}`);
  return sections.join("\n\n");
}

export function rowToMessage(row: ChatMessageRow): ChatMessage {
  switch (row.role) {
    case "assistant":
      return { role: "assistant", content: row.content, ...(row.toolCalls ? { toolCalls: row.toolCalls as ToolCall[] } : {}) };
    case "tool":
      return { role: "tool", toolCallId: row.toolCallId ?? "", toolName: row.toolName ?? "", content: row.content, isError: row.isError };
    default:
      return { role: "user", content: row.content };
  }
}

export function rowTokens(row: ChatMessageRow): number {
  return estimateTokens(row.content) + (row.toolCalls ? estimateTokens(JSON.stringify(row.toolCalls)) : 0);
}

/**
 * Splits the unsummarised history into what to fold into the summary and what to keep verbatim. Cuts
 * only in front of a user message, so a tool call and its result are never separated, and always keeps
 * the newest user message.
 */
export function planWindow(rows: ChatMessageRow[], windowTokens: number): { fold: ChatMessageRow[]; keep: ChatMessageRow[] } {
  let total = rows.reduce((sum, row) => sum + rowTokens(row), 0);
  if (total <= windowTokens) return { fold: [], keep: rows };
  const lastUser = rows.findLastIndex((row) => row.role === "user");
  let cut = 0;
  for (let index = 0; index < rows.length && total > windowTokens; index += 1) {
    const row = rows[index];
    if (!row) break;
    total -= rowTokens(row);
    const next = rows[index + 1];
    if (next?.role === "user" || index + 1 === rows.length) cut = index + 1;
    if (lastUser >= 0 && index + 1 >= lastUser) break;
  }
  cut = Math.min(cut, lastUser >= 0 ? lastUser : rows.length);
  return { fold: rows.slice(0, cut), keep: rows.slice(cut) };
}

/** An extractive summary line per folded message; the summary keeps its newest lines within a cap. */
export function extendSummary(summary: string, folded: ChatMessageRow[], capTokens: number): string {
  const lines = summary ? summary.split("\n") : [];
  for (const row of folded) {
    if (row.role === "tool") {
      lines.push(`- Tool ${row.toolName ?? ""} ${row.isError ? "failed" : "answered"}: ${oneLine(row.content, 160)}`);
    } else if (row.role === "assistant" && row.toolCalls && !row.content) {
      lines.push(`- You called ${(row.toolCalls as ToolCall[]).map((call) => call.name).join(", ")}`);
    } else {
      lines.push(`- ${row.role === "user" ? "User" : "You"}: ${oneLine(row.content, 200)}`);
    }
  }
  let omitted = 0;
  const omittedLine = /^\[(\d+) earlier lines omitted\]$/;
  const first = lines[0] ? omittedLine.exec(lines[0]) : null;
  if (first) {
    omitted = Number(first[1]);
    lines.shift();
  }
  while (lines.length > 1 && estimateTokens(lines.join("\n")) > capTokens) {
    lines.shift();
    omitted += 1;
  }
  return [...(omitted ? [`[${omitted} earlier lines omitted]`] : []), ...lines].join("\n");
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
