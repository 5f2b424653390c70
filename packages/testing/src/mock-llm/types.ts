/** Public types of the mock LLM server: the vendors it speaks, the scripted steps, the recorded requests. */

export type MockVendor = "openai" | "deepseek" | "anthropic" | "ollama";

export interface MockUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface MockToolCall {
  /** Defaults to a vendor-shaped id: `call_...` (OpenAI, DeepSeek), `toolu_...` (Anthropic); Ollama sends none. */
  id?: string;
  name: string;
  /** Serialised with JSON.stringify; a string is sent verbatim as the JSON text (to script broken arguments). */
  arguments: unknown;
}

export type MockStep =
  | {
      type: "text";
      text: string;
      usage?: MockUsage;
      /** Number of deltas when streaming; default one per word. */
      chunks?: number;
      /** Pause between streamed deltas. */
      chunkDelayMs?: number;
    }
  | { type: "tool_calls"; calls: MockToolCall[]; text?: string; usage?: MockUsage }
  | {
      type: "error";
      status: number;
      /** Sent as the standard `retry-after` header (seconds). */
      retryAfterSeconds?: number;
      /** Sent as `retry-after-ms`, which both Stainless SDKs prefer over `retry-after` when present. */
      retryAfterMs?: number;
      message?: string;
    }
  /** Accepts the request and never answers until the client aborts or the server closes. */
  | { type: "hang" }
  /** 200 with a body that is not valid for the protocol (truncated JSON, or a broken event mid-stream). */
  | { type: "malformed" }
  /** The default: "Echo: <text of the last user message>" or "Echo: tool result <content>". */
  | { type: "echo" };

/** A step in a vendor's script; with `model` it only answers requests for that model. */
export type MockScriptedStep = MockStep & { model?: string };

export interface RecordedRequest {
  vendor: MockVendor;
  path: string;
  model: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary vendor request bodies; `unknown` would force casts at every use.
  body: any;
  headers: Record<string, string | string[] | undefined>;
  stream: boolean;
}

export interface MockLlmServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** What each SDK or client takes as its base URL. */
  baseUrls: { openai: string; deepseek: string; anthropic: string; ollama: string };
  /** Appends steps to the vendor's FIFO script. */
  script(vendor: MockVendor, ...steps: MockScriptedStep[]): void;
  /** Every request that reached a vendor route, in arrival order. */
  requests: RecordedRequest[];
  /** Resolves once at least `count` requests have been recorded (e.g. to abort a hanging request). */
  waitForRequests(count: number): Promise<RecordedRequest[]>;
  /** Clears scripts and recorded requests. */
  reset(): void;
  /** Stops the server; also ends hanging requests. */
  close(): Promise<void>;
}

export interface MockLlmServerOptions {
  port?: number;
  host?: string;
  /** Models listed by Ollama's GET /api/tags. */
  ollamaModels?: string[];
}
