/**
 * OpenAI chat completions through the official `openai` SDK; DeepSeek uses the same protocol at its own
 * base URL. The SDK's own retries are off (maxRetries: 0): retries, timeouts and breakers belong to the
 * gateway, which sees every attempt.
 */
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { parseToolArguments, toModelCallError } from "../errors";
import type { ChatRequest, ChatResult, ChatStreamEvent, ModelAdapter, StopReason, ToolCall } from "../types";

export interface OpenAiAdapterOptions {
  provider: "openai" | "deepseek";
  apiKey: string;
  baseUrl?: string | null;
}

export const defaultBaseUrls = { openai: "https://api.openai.com/v1", deepseek: "https://api.deepseek.com" } as const;

function toWireMessages(request: ChatRequest): ChatCompletionMessageParam[] {
  return request.messages.map((message): ChatCompletionMessageParam => {
    switch (message.role) {
      case "system":
        return { role: "system", content: message.content };
      case "user":
        return { role: "user", content: message.content };
      case "assistant":
        return {
          role: "assistant",
          content: message.content,
          ...(message.toolCalls?.length
            ? {
                tool_calls: message.toolCalls.map((call) => ({
                  id: call.id,
                  type: "function" as const,
                  function: { name: call.name, arguments: JSON.stringify(call.arguments) },
                })),
              }
            : {}),
        };
      default:
        return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    }
  });
}

function stopReasonOf(reason: string | null | undefined): StopReason {
  if (reason === "stop") return "end";
  if (reason === "tool_calls" || reason === "function_call") return "tool_calls";
  if (reason === "length") return "max_tokens";
  return "other";
}

export function createOpenAiAdapter(options: OpenAiAdapterOptions): ModelAdapter {
  const provider = options.provider;
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl ?? defaultBaseUrls[provider],
    maxRetries: 0,
    timeout: 10 * 60_000,
  });

  function params(request: ChatRequest): ChatCompletionCreateParamsBase {
    return {
      model: request.model,
      messages: toWireMessages(request),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((tool) => ({
              type: "function" as const,
              function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
            })),
          }
        : {}),
    };
  }

  return {
    provider,
    async chat(request) {
      try {
        const completion = await client.chat.completions.create({ ...params(request), stream: false }, { signal: request.signal });
        const choice = completion.choices[0];
        if (!choice) throw new SyntaxError("The completion has no choices");
        const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).flatMap((call) =>
          call.type === "function" ? [{ id: call.id, name: call.function.name, ...parseToolArguments(call.function.arguments) }] : [],
        );
        return {
          provider,
          model: completion.model || request.model,
          text: choice.message.content ?? "",
          toolCalls,
          usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
          stopReason: stopReasonOf(choice.finish_reason),
        } satisfies ChatResult;
      } catch (error) {
        throw toModelCallError(provider, error, request.signal);
      }
    },
    async *stream(request): AsyncGenerator<ChatStreamEvent> {
      let text = "";
      let model = request.model;
      let finishReason: string | null = null;
      const usage = { inputTokens: 0, outputTokens: 0 };
      const pending = new Map<number, { id: string; name: string; arguments: string }>();
      try {
        const stream = await client.chat.completions.create(
          { ...params(request), stream: true, stream_options: { include_usage: true } },
          { signal: request.signal },
        );
        for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
          if (chunk.model) model = chunk.model;
          if (chunk.usage) {
            usage.inputTokens = chunk.usage.prompt_tokens;
            usage.outputTokens = chunk.usage.completion_tokens;
          }
          const choice = chunk.choices[0];
          if (!choice) continue;
          if (choice.delta.content) {
            text += choice.delta.content;
            yield { type: "text", delta: choice.delta.content };
          }
          for (const delta of choice.delta.tool_calls ?? []) {
            const current = pending.get(delta.index) ?? { id: "", name: "", arguments: "" };
            if (delta.id) current.id = delta.id;
            if (delta.function?.name) current.name += delta.function.name;
            if (delta.function?.arguments) current.arguments += delta.function.arguments;
            pending.set(delta.index, current);
          }
          if (choice.finish_reason) finishReason = choice.finish_reason;
        }
      } catch (error) {
        throw toModelCallError(provider, error, request.signal);
      }
      if (finishReason === null) throw toModelCallError(provider, new SyntaxError("The stream ended without a finish reason"));
      const toolCalls: ToolCall[] = [...pending.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, call]) => ({ id: call.id || `call_${index}`, name: call.name, ...parseToolArguments(call.arguments) }));
      for (const call of toolCalls) yield { type: "tool_call", call };
      yield { type: "done", result: { provider, model, text, toolCalls, usage, stopReason: stopReasonOf(finishReason) } };
    },
  };
}
