/**
 * The built-in offline model `local`: deterministic, free, no network, so a fresh install can demo an
 * agent with no API key. It is labelled as such wherever it answers. What it does, in order:
 * - after a tool result, it reports the result;
 * - when the user names an offered tool followed by a JSON object (`calculator {"expression": "2+2"}`),
 *   it calls that tool with that object;
 * - when the user says "remember ..." and a memory tool is offered, it stores the fact;
 * - otherwise it answers from its persona and the facts it was given, quoting the user's message.
 */
import type { ChatMessage, ChatRequest, ChatResult, ChatStreamEvent, ModelAdapter, ToolCall } from "../types";

export const localModelNames = ["local-echo"] as const;
export const localModelLabel = "Offline demo model (deterministic, no API key)";

export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

export function messageText(message: ChatMessage): string {
  if (message.role === "assistant")
    return message.content + (message.toolCalls ?? []).map((call) => JSON.stringify(call.arguments)).join("");
  return message.content;
}

function findJsonObject(text: string, from: number): Record<string, unknown> | undefined {
  const start = text.indexOf("{", from);
  if (start < 0) return undefined;
  let depth = 0;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (char === "{") depth += 1;
    else if (char === "}") {
      depth -= 1;
      if (depth === 0) {
        try {
          const value: unknown = JSON.parse(text.slice(start, index + 1));
          return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

function decide(request: ChatRequest): { text: string; toolCalls: ToolCall[] } {
  const last = request.messages.at(-1);
  const turn = request.messages.filter((message) => message.role === "assistant").length;
  if (last?.role === "tool") {
    return {
      text: `${last.isError ? "The tool failed" : "The tool answered"} (${last.toolName}): ${last.content.slice(0, 2000)}`,
      toolCalls: [],
    };
  }
  const userText = last?.role === "user" ? last.content : "";
  for (const tool of request.tools ?? []) {
    const at = userText.indexOf(tool.name);
    if (at < 0) continue;
    const args = findJsonObject(userText, at + tool.name.length);
    if (args) return { text: "", toolCalls: [{ id: `local_call_${turn}`, name: tool.name, arguments: args }] };
  }
  const remember = /^\s*remember(?: that)?[:,]?\s+(.+)$/is.exec(userText);
  const memoryTool = (request.tools ?? []).find((tool) => tool.name === "memory_store" || tool.name === "remember");
  if (remember?.[1] && memoryTool) {
    return {
      text: "",
      toolCalls: [{ id: `local_call_${turn}`, name: memoryTool.name, arguments: { fact: remember[1].trim().slice(0, 2000) } }],
    };
  }
  const system = request.messages.filter((message) => message.role === "system").map((message) => message.content);
  const persona = /You are ([^.\n]{1,80})/.exec(system.join("\n"))?.[1];
  const facts = system.join("\n").match(/^- .+$/gm) ?? [];
  const parts = [`${persona ? `${persona} (offline demo model)` : "Offline demo model"} here. You said: "${userText.slice(0, 2000)}".`];
  if (facts.length) parts.push(`I remember: ${facts.map((fact) => fact.slice(2)).join("; ")}.`);
  return { text: parts.join(" "), toolCalls: [] };
}

function resultOf(request: ChatRequest): ChatResult {
  const { text, toolCalls } = decide(request);
  const maxTokens = request.maxTokens;
  const clipped = maxTokens !== undefined && estimateTokens(text) > maxTokens ? text.slice(0, maxTokens * 4) : text;
  return {
    provider: "local",
    model: request.model,
    text: clipped,
    toolCalls,
    usage: {
      inputTokens: request.messages.reduce((sum, message) => sum + estimateTokens(messageText(message)), 0),
      outputTokens: estimateTokens(clipped) + toolCalls.reduce((sum, call) => sum + estimateTokens(JSON.stringify(call.arguments)), 0),
    },
    stopReason: toolCalls.length ? "tool_calls" : clipped.length < text.length ? "max_tokens" : "end",
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException("The operation was aborted", "AbortError");
}

export function createLocalAdapter(): ModelAdapter {
  return {
    provider: "local",
    async chat(request) {
      throwIfAborted(request.signal);
      return resultOf(request);
    },
    async *stream(request): AsyncGenerator<ChatStreamEvent> {
      const result = resultOf(request);
      for (const word of result.text.match(/\S+\s*/g) ?? []) {
        throwIfAborted(request.signal);
        yield { type: "text", delta: word };
      }
      for (const call of result.toolCalls) yield { type: "tool_call", call };
      yield { type: "done", result };
    },
  };
}
