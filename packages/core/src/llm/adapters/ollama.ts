/**
 * Ollama's native chat API (`POST /api/chat`), NDJSON when streaming. Ollama has no SDK in our stack and
 * needs none: fetch and a line reader. It sends no tool call ids, so ids are made from the position.
 */
import { toModelCallError, VendorHttpError } from "../errors";
import {
  type ChatRequest,
  type ChatResult,
  type ChatStreamEvent,
  type ModelAdapter,
  ModelCallError,
  type StopReason,
  type ToolCall,
} from "../types";

export interface OllamaAdapterOptions {
  baseUrl?: string | null;
}

export const defaultOllamaBaseUrl = "http://127.0.0.1:11434";

interface OllamaMessage {
  role: string;
  content?: string;
  tool_calls?: Array<{ function?: { name?: string; arguments?: unknown } }>;
}
interface OllamaChunk {
  model?: string;
  message?: OllamaMessage;
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

function stopReasonOf(reason: string | undefined, hasToolCalls: boolean): StopReason {
  if (hasToolCalls) return "tool_calls";
  if (reason === "stop" || reason === undefined) return "end";
  if (reason === "length") return "max_tokens";
  return "other";
}

function toolCallsOf(message: OllamaMessage | undefined, offset: number): ToolCall[] {
  return (message?.tool_calls ?? []).map((call, index) => {
    const args = call.function?.arguments;
    const isObject = args !== null && typeof args === "object" && !Array.isArray(args);
    let parsed: Record<string, unknown> = isObject ? (args as Record<string, unknown>) : {};
    let argumentsError: string | undefined = isObject ? undefined : "The tool arguments must be a JSON object";
    if (typeof args === "string") {
      try {
        const value: unknown = JSON.parse(args);
        if (value !== null && typeof value === "object" && !Array.isArray(value)) {
          parsed = value as Record<string, unknown>;
          argumentsError = undefined;
        }
      } catch {
        argumentsError = `The tool arguments are not valid JSON: ${args.slice(0, 200)}`;
      }
    }
    return {
      id: `ollama_call_${offset + index}`,
      name: call.function?.name ?? "",
      arguments: parsed,
      ...(argumentsError ? { argumentsError } : {}),
    };
  });
}

function parseChunk(line: string): OllamaChunk {
  const value: unknown = JSON.parse(line);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SyntaxError("An NDJSON line is not an object");
  return value as OllamaChunk;
}

export function createOllamaAdapter(options: OllamaAdapterOptions = {}): ModelAdapter {
  const provider = "ollama";
  const baseUrl = (options.baseUrl ?? defaultOllamaBaseUrl).replace(/\/+$/, "");

  async function post(request: ChatRequest, stream: boolean): Promise<Response> {
    const body = {
      model: request.model,
      stream,
      messages: request.messages.map((message) => {
        switch (message.role) {
          case "assistant":
            return {
              role: "assistant",
              content: message.content,
              ...(message.toolCalls?.length
                ? { tool_calls: message.toolCalls.map((call) => ({ function: { name: call.name, arguments: call.arguments } })) }
                : {}),
            };
          case "tool":
            return { role: "tool", content: message.content, tool_name: message.toolName };
          default:
            return { role: message.role, content: message.content };
        }
      }),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((tool) => ({
              type: "function",
              function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
            })),
          }
        : {}),
      options: {
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(request.maxTokens !== undefined ? { num_predict: request.maxTokens } : {}),
      },
    };
    const response = await fetch(`${baseUrl}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: request.signal,
    });
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      let message = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error?: unknown };
        if (typeof parsed.error === "string") message = parsed.error;
      } catch {}
      throw new VendorHttpError(response.status, response.headers, message);
    }
    return response;
  }

  return {
    provider,
    async chat(request) {
      try {
        const response = await post(request, false);
        const chunk = parseChunk(await response.text());
        if (chunk.error) throw new ModelCallError({ kind: "server", provider, message: `ollama failed: ${chunk.error}` });
        const toolCalls = toolCallsOf(chunk.message, 0);
        return {
          provider,
          model: chunk.model ?? request.model,
          text: chunk.message?.content ?? "",
          toolCalls,
          usage: { inputTokens: chunk.prompt_eval_count ?? 0, outputTokens: chunk.eval_count ?? 0 },
          stopReason: stopReasonOf(chunk.done_reason, toolCalls.length > 0),
        } satisfies ChatResult;
      } catch (error) {
        throw toModelCallError(provider, error, request.signal);
      }
    },
    async *stream(request): AsyncGenerator<ChatStreamEvent> {
      let text = "";
      let model = request.model;
      const toolCalls: ToolCall[] = [];
      let final: OllamaChunk | undefined;
      try {
        const response = await post(request, true);
        if (!response.body) throw new SyntaxError("The response has no body");
        const decoder = new TextDecoder();
        let buffered = "";
        const lines = async function* (): AsyncGenerator<string> {
          for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
            buffered += decoder.decode(bytes, { stream: true });
            let newline = buffered.indexOf("\n");
            while (newline >= 0) {
              const line = buffered.slice(0, newline).trim();
              buffered = buffered.slice(newline + 1);
              if (line) yield line;
              newline = buffered.indexOf("\n");
            }
          }
          const rest = (buffered + decoder.decode()).trim();
          if (rest) yield rest;
        };
        for await (const line of lines()) {
          const chunk = parseChunk(line);
          if (chunk.error) throw new ModelCallError({ kind: "server", provider, message: `ollama failed: ${chunk.error}` });
          if (chunk.model) model = chunk.model;
          const delta = chunk.message?.content ?? "";
          if (delta) {
            text += delta;
            yield { type: "text", delta };
          }
          for (const call of toolCallsOf(chunk.message, toolCalls.length)) {
            toolCalls.push(call);
            yield { type: "tool_call", call };
          }
          if (chunk.done) final = chunk;
        }
      } catch (error) {
        throw toModelCallError(provider, error, request.signal);
      }
      if (!final) throw toModelCallError(provider, new SyntaxError("The stream ended without a done line"));
      yield {
        type: "done",
        result: {
          provider,
          model,
          text,
          toolCalls,
          usage: { inputTokens: final.prompt_eval_count ?? 0, outputTokens: final.eval_count ?? 0 },
          stopReason: stopReasonOf(final.done_reason, toolCalls.length > 0),
        },
      };
    },
  };
}
