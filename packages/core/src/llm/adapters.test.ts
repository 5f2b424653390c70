/**
 * Every adapter through its official SDK (or Ollama's native API) against the protocol-faithful mock
 * vendor servers: plain text, streaming, a tool-call round trip, usage, and through the gateway: 429
 * then success, a breaker that opens and recovers, timeouts, malformed answers and the fallback chain.
 */
import { type MockLlmServer, type MockVendor, startMockLlmServer } from "@gathering/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAnthropicAdapter } from "./adapters/anthropic";
import { createOllamaAdapter } from "./adapters/ollama";
import { createOpenAiAdapter } from "./adapters/openai";
import { createModelGateway } from "./gateway";
import { type ChatRequest, type ModelAdapter, ModelCallError } from "./types";

let mock: MockLlmServer;

beforeAll(async () => {
  mock = await startMockLlmServer();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const vendors: Array<{ vendor: MockVendor; model: string; adapter: () => ModelAdapter }> = [
  {
    vendor: "openai",
    model: "gpt-4o-mini",
    adapter: () => createOpenAiAdapter({ provider: "openai", apiKey: "sk-test-1234567890", baseUrl: mock.baseUrls.openai }),
  },
  {
    vendor: "deepseek",
    model: "deepseek-chat",
    adapter: () => createOpenAiAdapter({ provider: "deepseek", apiKey: "sk-test-1234567890", baseUrl: mock.baseUrls.deepseek }),
  },
  {
    vendor: "anthropic",
    model: "claude-test-model",
    adapter: () => createAnthropicAdapter({ apiKey: "sk-ant-test-1234567890", baseUrl: mock.baseUrls.anthropic }),
  },
  { vendor: "ollama", model: "llama3.2", adapter: () => createOllamaAdapter({ baseUrl: mock.baseUrls.ollama }) },
];

const weatherTool = {
  name: "get_weather",
  description: "The weather in a city",
  inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

function request(model: string, overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model,
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Hello there" },
    ],
    ...overrides,
  };
}

describe.each(vendors)("$vendor adapter", ({ vendor, model, adapter }) => {
  it("answers plain text with the vendor's usage", async () => {
    mock.script(vendor, { type: "text", text: "General Kenobi.", usage: { inputTokens: 12, outputTokens: 4 } });
    const result = await adapter().chat(request(model));
    expect(result).toMatchObject({
      text: "General Kenobi.",
      toolCalls: [],
      usage: { inputTokens: 12, outputTokens: 4 },
      stopReason: "end",
    });
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.stream).toBe(false);
  });

  it("streams deltas that add up to the answer, then one done event with usage", async () => {
    mock.script(vendor, { type: "text", text: "The quick brown fox jumps", usage: { inputTokens: 30, outputTokens: 9 } });
    const deltas: string[] = [];
    const done: unknown[] = [];
    for await (const event of adapter().stream(request(model))) {
      if (event.type === "text") deltas.push(event.delta);
      if (event.type === "done") done.push(event.result);
    }
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("The quick brown fox jumps");
    expect(done).toEqual([expect.objectContaining({ text: "The quick brown fox jumps", usage: { inputTokens: 30, outputTokens: 9 } })]);
    expect(mock.requests[0]?.stream).toBe(true);
  });

  it.each([false, true])("does a tool-call round trip (streaming: %s)", async (streaming) => {
    mock.script(
      vendor,
      {
        type: "tool_calls",
        calls: [{ id: vendor === "ollama" ? undefined : "call_weather_1", name: "get_weather", arguments: { city: "Lyon" } }],
        usage: { inputTokens: 20, outputTokens: 7 },
      },
      { type: "echo" },
    );
    const client = adapter();
    const run = async (req: ChatRequest) => {
      if (!streaming) return client.chat(req);
      for await (const event of client.stream(req)) if (event.type === "done") return event.result;
      throw new Error("no done event");
    };
    const first = await run(request(model, { tools: [weatherTool] }));
    expect(first.stopReason).toBe("tool_calls");
    expect(first.toolCalls).toHaveLength(1);
    const call = first.toolCalls[0];
    if (!call) throw new Error("no tool call");
    expect(call).toMatchObject({ name: "get_weather", arguments: { city: "Lyon" } });
    expect(call.id).not.toBe("");

    const second = await run(
      request(model, {
        tools: [weatherTool],
        messages: [
          { role: "user", content: "Weather in Lyon?" },
          { role: "assistant", content: first.text, toolCalls: first.toolCalls },
          { role: "tool", toolCallId: call.id, toolName: call.name, content: "Sunny, 21 °C" },
        ],
      }),
    );
    expect(second.text).toContain("Sunny, 21 °C");
    expect(second.stopReason).toBe("end");
    // The tool's schema reached the vendor in its own format.
    expect(JSON.stringify(mock.requests[0]?.body)).toContain("get_weather");
  });

  it("maps a 429 to rate_limited with the retry-after, and 500 to server", async () => {
    mock.script(vendor, { type: "error", status: 429, retryAfterSeconds: 7 }, { type: "error", status: 500 });
    const client = adapter();
    const rateLimited = await client.chat(request(model)).catch((error: unknown) => error);
    expect(rateLimited).toBeInstanceOf(ModelCallError);
    expect(rateLimited).toMatchObject({ kind: "rate_limited", status: 429, retryAfterMs: 7000 });
    await expect(client.chat(request(model))).rejects.toMatchObject({ kind: "server", status: 500 });
  });

  it("reports a malformed answer as malformed", async () => {
    mock.script(vendor, { type: "malformed" }, { type: "malformed" });
    await expect(adapter().chat(request(model))).rejects.toMatchObject({ kind: "malformed" });
    const stream = async () => {
      for await (const _event of adapter().stream(request(model))) {
      }
    };
    await expect(stream()).rejects.toBeInstanceOf(ModelCallError);
  });

  describe("through the gateway", () => {
    it("retries a 429 after its retry-after and succeeds", async () => {
      mock.script(vendor, { type: "error", status: 429, retryAfterSeconds: 0 }, { type: "text", text: "Second time lucky." });
      const gateway = createModelGateway({ retry: { initialDelayMs: 1, maxDelayMs: 5 } });
      const result = await gateway.call({ adapter: adapter(), model }, request(model));
      expect(result.text).toBe("Second time lucky.");
      expect(mock.requests).toHaveLength(2);
    });

    it("does not wait out a retry-after longer than its limit", async () => {
      mock.script(vendor, { type: "error", status: 429, retryAfterSeconds: 3600 });
      const gateway = createModelGateway({ retry: { maxRetryAfterMs: 1000 } });
      await expect(gateway.call({ adapter: adapter(), model }, request(model))).rejects.toMatchObject({ kind: "rate_limited" });
      expect(mock.requests).toHaveLength(1);
    });

    it("opens the circuit after repeated failures, fails fast while open, and closes after a good probe", async () => {
      const states: string[] = [];
      const gateway = createModelGateway({
        retry: { maxAttempts: 1 },
        breaker: { consecutiveFailures: 3, halfOpenAfterMs: 150 },
        onBreakerStateChange: (_key, state) => states.push(state),
      });
      const target = { adapter: adapter(), model };
      mock.script(vendor, { type: "error", status: 500 }, { type: "error", status: 503 }, { type: "error", status: 500 });
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await expect(gateway.call(target, request(model))).rejects.toMatchObject({ kind: "server" });
      }
      expect(gateway.breakerStates()).toEqual([{ key: `${target.adapter.provider}:${model}`, state: "open" }]);
      await expect(gateway.call(target, request(model))).rejects.toThrow(/circuit .* is open/);
      expect(mock.requests).toHaveLength(3);

      await new Promise((resolve) => setTimeout(resolve, 200));
      mock.script(vendor, { type: "text", text: "Back." });
      await expect(gateway.call(target, request(model))).resolves.toMatchObject({ text: "Back." });
      expect(gateway.breakerStates()[0]?.state).toBe("closed");
      expect(states).toEqual(["open", "half_open", "closed"]);
    });

    it("times out a vendor that never answers", async () => {
      mock.script(vendor, { type: "hang" }, { type: "hang" });
      const gateway = createModelGateway({ retry: { maxAttempts: 1 }, timeoutMs: 300 });
      await expect(gateway.call({ adapter: adapter(), model }, request(model))).rejects.toMatchObject({ kind: "timeout" });
      await expect(gateway.call({ adapter: adapter(), model }, request(model), () => {})).rejects.toMatchObject({ kind: "timeout" });
    });

    it("stops at once when the caller aborts", async () => {
      mock.script(vendor, { type: "hang" });
      const gateway = createModelGateway();
      const controller = new AbortController();
      const call = gateway.call({ adapter: adapter(), model }, request(model, { signal: controller.signal }));
      await mock.waitForRequests(1);
      controller.abort();
      await expect(call).rejects.toMatchObject({ kind: "aborted" });
      expect(mock.requests).toHaveLength(1);
    });
  });
});

describe("fallback chain", () => {
  it("moves to the next provider when the primary is down, and records why", async () => {
    mock.script("openai", { type: "error", status: 500 }, { type: "error", status: 500 });
    mock.script("anthropic", { type: "text", text: "Claude here.", usage: { inputTokens: 5, outputTokens: 3 } });
    const gateway = createModelGateway({ retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 } });
    const chain = [
      {
        adapter: createOpenAiAdapter({ provider: "openai", apiKey: "sk-test-1234567890", baseUrl: mock.baseUrls.openai }),
        model: "gpt-4o",
      },
      {
        adapter: createAnthropicAdapter({ apiKey: "sk-ant-test-1234567890", baseUrl: mock.baseUrls.anthropic }),
        model: "claude-test-model",
      },
    ];
    const deltas: string[] = [];
    const answer = await gateway.callWithFallback(chain, request("gpt-4o"), (event) => {
      if (event.type === "text") deltas.push(event.delta);
    });
    expect(answer.result).toMatchObject({ provider: "anthropic", model: "claude-test-model", text: "Claude here." });
    expect(deltas.join("")).toBe("Claude here.");
    expect(answer.fallbacks).toEqual([
      { provider: "openai", model: "gpt-4o", error: { kind: "server", message: expect.stringContaining("500") } },
    ]);
    expect(mock.requests.map((entry) => entry.vendor)).toEqual(["openai", "openai", "anthropic"]);
  });

  it("skips a model whose circuit is open without calling it", async () => {
    const gateway = createModelGateway({ retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } });
    const openai = {
      adapter: createOpenAiAdapter({ provider: "openai", apiKey: "sk-test-1234567890", baseUrl: mock.baseUrls.openai }),
      model: "gpt-4o",
    };
    const ollama = { adapter: createOllamaAdapter({ baseUrl: mock.baseUrls.ollama }), model: "llama3.2" };
    mock.script("openai", { type: "error", status: 503 });
    await expect(gateway.call(openai, request("gpt-4o"))).rejects.toBeInstanceOf(ModelCallError);
    mock.reset();
    const answer = await gateway.callWithFallback([openai, ollama], request("gpt-4o"));
    expect(answer.result.provider).toBe("ollama");
    expect(answer.fallbacks[0]?.error.kind).toBe("circuit_open");
    expect(mock.requests.map((entry) => entry.vendor)).toEqual(["ollama"]);
  });

  it("throws the last error when every model fails", async () => {
    mock.script("openai", { type: "error", status: 401 });
    mock.script("deepseek", { type: "error", status: 400 });
    const gateway = createModelGateway({ retry: { maxAttempts: 1 } });
    const chain = [
      {
        adapter: createOpenAiAdapter({ provider: "openai", apiKey: "sk-test-1234567890", baseUrl: mock.baseUrls.openai }),
        model: "gpt-4o",
      },
      {
        adapter: createOpenAiAdapter({ provider: "deepseek", apiKey: "sk-test-1234567890", baseUrl: mock.baseUrls.deepseek }),
        model: "deepseek-chat",
      },
    ];
    await expect(gateway.callWithFallback(chain, request("gpt-4o"))).rejects.toMatchObject({ provider: "deepseek", kind: "bad_request" });
  });
});
