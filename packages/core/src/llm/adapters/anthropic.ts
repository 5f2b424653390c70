/**
 * Anthropic messages through the official `@anthropic-ai/sdk`. System messages become the `system`
 * parameter, tool results become `tool_result` blocks of a user turn, and consecutive turns of the same
 * role are merged, since the Messages API wants strictly alternating roles.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlockParam, MessageCreateParamsBase, MessageParam, RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { parseToolArguments, toModelCallError } from "../errors";
import type { ChatRequest, ChatResult, ChatStreamEvent, ModelAdapter, StopReason, ToolCall } from "../types";

export interface AnthropicAdapterOptions {
  apiKey: string;
  baseUrl?: string | null;
}

/** The Messages API requires a ceiling on output; this one applies when the agent sets none. */
export const anthropicDefaultMaxTokens = 4096;

function toWire(request: ChatRequest): { system: string | undefined; messages: MessageParam[] } {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  const push = (role: "user" | "assistant", blocks: ContentBlockParam[]) => {
    const last = messages.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const message of request.messages) {
    switch (message.role) {
      case "system":
        system.push(message.content);
        break;
      case "user":
        push("user", [{ type: "text", text: message.content }]);
        break;
      case "assistant":
        push("assistant", [
          ...(message.content ? [{ type: "text" as const, text: message.content }] : []),
          ...(message.toolCalls ?? []).map((call) => ({ type: "tool_use" as const, id: call.id, name: call.name, input: call.arguments })),
        ]);
        break;
      case "tool":
        push("user", [
          {
            type: "tool_result",
            tool_use_id: message.toolCallId,
            content: message.content,
            ...(message.isError ? { is_error: true } : {}),
          },
        ]);
        break;
    }
  }
  return { system: system.length ? system.join("\n\n") : undefined, messages };
}

function stopReasonOf(reason: string | null | undefined): StopReason {
  if (reason === "end_turn" || reason === "stop_sequence") return "end";
  if (reason === "tool_use") return "tool_calls";
  if (reason === "max_tokens") return "max_tokens";
  return "other";
}

export function createAnthropicAdapter(options: AnthropicAdapterOptions): ModelAdapter {
  const provider = "anthropic";
  const client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseUrl ?? undefined, maxRetries: 0, timeout: 10 * 60_000 });

  function params(request: ChatRequest): MessageCreateParamsBase {
    const { system, messages } = toWire(request);
    return {
      model: request.model,
      max_tokens: request.maxTokens ?? anthropicDefaultMaxTokens,
      messages,
      ...(system ? { system } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((tool) => ({
              name: tool.name,
              description: tool.description,
              input_schema: { ...tool.inputSchema, type: "object" as const },
            })),
          }
        : {}),
    };
  }

  return {
    provider,
    async chat(request) {
      try {
        const message = await client.messages.create({ ...params(request), stream: false }, { signal: request.signal });
        let text = "";
        const toolCalls: ToolCall[] = [];
        for (const block of message.content) {
          if (block.type === "text") text += block.text;
          else if (block.type === "tool_use") {
            const input = block.input;
            const isObject = input !== null && typeof input === "object" && !Array.isArray(input);
            toolCalls.push({
              id: block.id,
              name: block.name,
              arguments: isObject ? (input as Record<string, unknown>) : {},
              ...(isObject ? {} : { argumentsError: "The tool arguments must be a JSON object" }),
            });
          }
        }
        return {
          provider,
          model: message.model || request.model,
          text,
          toolCalls,
          usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
          stopReason: stopReasonOf(message.stop_reason),
        } satisfies ChatResult;
      } catch (error) {
        throw toModelCallError(provider, error, request.signal);
      }
    },
    async *stream(request): AsyncGenerator<ChatStreamEvent> {
      let text = "";
      let model = request.model;
      let stopReason: string | null = null;
      let stopped = false;
      const usage = { inputTokens: 0, outputTokens: 0 };
      const blocks = new Map<number, { id: string; name: string; json: string }>();
      const toolCalls: ToolCall[] = [];
      try {
        const stream = await client.messages.create({ ...params(request), stream: true }, { signal: request.signal });
        for await (const event of stream as AsyncIterable<RawMessageStreamEvent>) {
          switch (event.type) {
            case "message_start":
              model = event.message.model || model;
              usage.inputTokens = event.message.usage.input_tokens;
              usage.outputTokens = event.message.usage.output_tokens;
              break;
            case "content_block_start":
              if (event.content_block.type === "tool_use")
                blocks.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: "" });
              break;
            case "content_block_delta":
              if (event.delta.type === "text_delta") {
                text += event.delta.text;
                yield { type: "text", delta: event.delta.text };
              } else if (event.delta.type === "input_json_delta") {
                const block = blocks.get(event.index);
                if (block) block.json += event.delta.partial_json;
              }
              break;
            case "content_block_stop": {
              const block = blocks.get(event.index);
              if (block) {
                const call: ToolCall = { id: block.id, name: block.name, ...parseToolArguments(block.json) };
                toolCalls.push(call);
                yield { type: "tool_call", call };
              }
              break;
            }
            case "message_delta":
              stopReason = event.delta.stop_reason ?? stopReason;
              usage.outputTokens = event.usage.output_tokens;
              if (typeof event.usage.input_tokens === "number") usage.inputTokens = event.usage.input_tokens;
              break;
            case "message_stop":
              stopped = true;
              break;
          }
        }
      } catch (error) {
        throw toModelCallError(provider, error, request.signal);
      }
      if (!stopped) throw toModelCallError(provider, new SyntaxError("The stream ended before message_stop"));
      yield { type: "done", result: { provider, model, text, toolCalls, usage, stopReason: stopReasonOf(stopReason) } };
    },
  };
}
