/**
 * Vendor-neutral pieces of a mock reply: turning a scripted step into text, tool calls and usage,
 * estimating tokens, splitting streamed text into deltas, ids and deterministic embeddings.
 */
import { randomBytes } from "node:crypto";
import type { MockStep, MockToolCall, MockUsage } from "./types";

/** What the model "says" for a text, tool_calls or echo step, once usage is settled. */
export interface ModelReply {
  text: string;
  toolCalls: MockToolCall[];
  usage: MockUsage;
  chunks?: number;
  chunkDelayMs?: number;
}

/** What a vendor adapter extracts from a request so any step can be answered. */
export interface ConversationSummary {
  /** Every piece of message text (system, user, assistant, tool calls, tool results), for the input estimate. */
  inputText: string;
  echoText: string;
}

export type AnsweringStep = Extract<MockStep, { type: "text" | "tool_calls" | "echo" }>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function toolArgumentsJson(call: MockToolCall): string {
  return typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {});
}

/** Anthropic and Ollama carry arguments as an object; a scripted string is parsed when it is JSON. */
export function toolArgumentsObject(call: MockToolCall): unknown {
  if (typeof call.arguments !== "string") return call.arguments ?? {};
  try {
    return JSON.parse(call.arguments);
  } catch {
    return call.arguments;
  }
}

export function toModelReply(step: AnsweringStep, conversation: ConversationSummary): ModelReply {
  const text = step.type === "echo" ? conversation.echoText : step.type === "text" ? step.text : (step.text ?? "");
  const toolCalls = step.type === "tool_calls" ? step.calls : [];
  const outputText = text + toolCalls.map((call) => call.name + toolArgumentsJson(call)).join("");
  const usage =
    step.type === "echo" || step.usage === undefined
      ? { inputTokens: estimateTokens(conversation.inputText), outputTokens: estimateTokens(outputText) }
      : step.usage;
  if (step.type === "text") return { text, toolCalls, usage, chunks: step.chunks, chunkDelayMs: step.chunkDelayMs };
  return { text, toolCalls, usage };
}

export function echoOfToolResults(results: string[]): string {
  return `Echo: ${results.map((result) => `tool result ${result}`).join("; ")}`;
}

/**
 * Splits text into streamed deltas whose concatenation is the text: one per word (whitespace stays with
 * the word before it) or, with `chunks`, that many slices of near-equal length (at most one per character).
 */
export function splitIntoChunks(text: string, chunks?: number): string[] {
  if (text === "") return [];
  if (chunks === undefined) return text.split(/(?<=\s)(?=\S)/);
  const characters = Array.from(text);
  const count = Math.max(1, Math.min(Math.floor(chunks), characters.length));
  const pieces: string[] = [];
  for (let index = 0; index < count; index++) {
    const start = Math.floor((index * characters.length) / count);
    const end = Math.floor(((index + 1) * characters.length) / count);
    pieces.push(characters.slice(start, end).join(""));
  }
  return pieces;
}

/** Tool arguments stream in small fragments, as the vendors do, so clients must accumulate them. */
export function splitJsonFragments(json: string): string[] {
  const size = 8;
  const characters = Array.from(json);
  const fragments: string[] = [];
  for (let start = 0; start < characters.length; start += size) fragments.push(characters.slice(start, start + size).join(""));
  return fragments;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A deterministic, L2-normalised hashed bag-of-words vector: texts sharing words point the same way, so
 * similarity search behaves sensibly in tests. Text without words gives the zero vector.
 */
export function mockEmbedding(text: string, dimensions = 64): number[] {
  const vector: number[] = new Array(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    const index = fnv1a(word, 0x811c9dc5) % dimensions;
    const sign = fnv1a(word, 0x5bd1e995) & 1 ? 1 : -1;
    vector[index] = (vector[index] ?? 0) + sign;
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm === 0 ? vector : vector.map((value) => value / norm);
}
