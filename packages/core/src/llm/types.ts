/**
 * The one model interface. Every provider adapter (Anthropic, OpenAI, DeepSeek, Ollama, the offline
 * `local` model) turns this request into its vendor's wire protocol and the vendor's answer back into
 * these shapes, so agents, circles and pipelines never see a vendor type.
 */
export const modelProviders = ["anthropic", "openai", "deepseek", "ollama", "local"] as const;
export type ModelProvider = (typeof modelProviders)[number];

/** A JSON Schema object describing a tool's input (what the model sees). */
export type JsonSchema = Record<string, unknown>;

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: JsonSchema;
}

export interface ToolCall {
  /** The vendor's call id (generated for vendors that have none, such as Ollama). */
  id: string;
  name: string;
  /** Parsed arguments. When the model sent text that is not a JSON object, `argumentsError` says why. */
  arguments: Record<string, unknown>;
  argumentsError?: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; toolName: string; content: string; isError?: boolean };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export type StopReason = "end" | "tool_calls" | "max_tokens" | "other";

export interface ChatResult {
  provider: ModelProvider;
  model: string;
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  stopReason: StopReason;
}

export type ChatStreamEvent =
  | { type: "text"; delta: string }
  | { type: "tool_call"; call: ToolCall }
  | { type: "done"; result: ChatResult };

export interface ModelAdapter {
  readonly provider: ModelProvider;
  /** One request, one complete answer (the vendor's non-streaming endpoint). */
  chat(request: ChatRequest): Promise<ChatResult>;
  /** The vendor's streaming endpoint; always ends with exactly one `done` event unless it throws. */
  stream(request: ChatRequest): AsyncIterable<ChatStreamEvent>;
}

/** What went wrong in a model call, in terms the resilience policies act on. */
export type ModelErrorKind = "rate_limited" | "server" | "timeout" | "network" | "bad_request" | "auth" | "malformed" | "aborted";

export class ModelCallError extends Error {
  override readonly name = "ModelCallError";
  readonly kind: ModelErrorKind;
  readonly provider: ModelProvider;
  readonly status: number | undefined;
  /** From the vendor's `retry-after` header, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(input: {
    kind: ModelErrorKind;
    provider: ModelProvider;
    message: string;
    status?: number;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(input.message, { cause: input.cause });
    this.kind = input.kind;
    this.provider = input.provider;
    this.status = input.status;
    this.retryAfterMs = input.retryAfterMs;
  }

  /** Worth another attempt (same model later) or a fallback model. */
  get isTransient(): boolean {
    return (
      this.kind === "rate_limited" ||
      this.kind === "server" ||
      this.kind === "timeout" ||
      this.kind === "network" ||
      this.kind === "malformed"
    );
  }
}
