/** The OpenAI and DeepSeek mocks driven through the official `openai` SDK, unmodified. */
import OpenAI, { APIConnectionError, APIUserAbortError, InternalServerError, RateLimitError } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mockEmbedding } from "./conversation";
import { startMockLlmServer } from "./server";
import type { MockLlmServer } from "./types";

let server: MockLlmServer;

beforeAll(async () => {
  server = await startMockLlmServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

/** Fails when `pending` has settled by the time another request to the same server has made a round trip. */
async function expectStillPending(pending: Promise<unknown>) {
  let isSettled = false;
  pending.then(
    () => {
      isSettled = true;
    },
    () => {
      isSettled = true;
    },
  );
  await fetch(`${server.baseUrls.ollama}/api/tags`);
  expect(isSettled).toBe(false);
}

const weatherTool = {
  type: "function" as const,
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

describe.each(["openai", "deepseek"] as const)("%s chat completions through the openai SDK", (vendor) => {
  const model = vendor === "openai" ? "gpt-4o-mini" : "deepseek-chat";
  const client = () => new OpenAI({ apiKey: "sk-test", baseURL: server.baseUrls[vendor], maxRetries: 0 });

  it("answers a scripted text with the scripted usage", async () => {
    server.script(vendor, { type: "text", text: "Hello there", usage: { inputTokens: 11, outputTokens: 3 } });

    const completion = await client().chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });

    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe(model);
    expect(completion.choices[0]?.message).toMatchObject({ role: "assistant", content: "Hello there" });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
  });

  it("echoes the last user message with estimated usage when nothing is scripted", async () => {
    const completion = await client().chat.completions.create({
      model,
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "ping" },
      ],
    });

    expect(completion.choices[0]?.message.content).toBe("Echo: ping");
    // ceil(len("Be brief\nping") / 4) and ceil(len("Echo: ping") / 4)
    expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3 });
  });

  it("streams deltas that assemble into the scripted text, ending with the usage chunk", async () => {
    server.script(vendor, { type: "text", text: "The quick brown fox", usage: { inputTokens: 7, outputTokens: 4 } });

    const stream = await client().chat.completions.create({
      model,
      messages: [{ role: "user", content: "Tell me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const contentDeltas: string[] = [];
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      const content = chunk.choices[0]?.delta.content;
      if (content) contentDeltas.push(content);
    }

    expect(contentDeltas).toEqual(["The ", "quick ", "brown ", "fox"]);
    expect(contentDeltas.join("")).toBe("The quick brown fox");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
  });

  it("streams no usage chunk unless include_usage is asked for, and honours the chunk count", async () => {
    server.script(vendor, { type: "text", text: "abcdefghi", chunks: 3 });

    const stream = await client().chat.completions.create({ model, messages: [{ role: "user", content: "x" }], stream: true });
    const contentDeltas: string[] = [];
    let usageChunks = 0;
    for await (const chunk of stream) {
      if (chunk.usage) usageChunks++;
      const content = chunk.choices[0]?.delta.content;
      if (content) contentDeltas.push(content);
    }

    expect(contentDeltas).toEqual(["abc", "def", "ghi"]);
    expect(usageChunks).toBe(0);
  });

  it("completes a tool-call round trip", async () => {
    server.script(vendor, { type: "tool_calls", calls: [{ name: "get_weather", arguments: { city: "Paris" } }] });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];

    const first = await client().chat.completions.create({ model, messages, tools: [weatherTool] });
    const assistant = first.choices[0]?.message;
    const call = assistant?.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(assistant?.content).toBeNull();
    if (call?.type !== "function") throw new Error("expected a function tool call");
    expect(call.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });

    messages.push(assistant as OpenAI.ChatCompletionMessageParam, { role: "tool", tool_call_id: call.id, content: "18C sunny" });
    const second = await client().chat.completions.create({ model, messages, tools: [weatherTool] });

    expect(second.choices[0]?.message.content).toBe("Echo: tool result 18C sunny");
    expect(server.requests[1]?.body.messages[2]).toEqual({ role: "tool", tool_call_id: call.id, content: "18C sunny" });
  });

  it("streams tool calls as argument fragments the SDK assembles", async () => {
    server.script(vendor, {
      type: "tool_calls",
      text: "Let me check.",
      calls: [
        { id: "call_fixed", name: "get_weather", arguments: { city: "Lyon", units: "metric" } },
        { name: "get_time", arguments: { zone: "Europe/Paris" } },
      ],
    });

    const completion = await client()
      .chat.completions.stream({ model, messages: [{ role: "user", content: "Weather and time?" }], tools: [weatherTool] })
      .finalChatCompletion();

    const message = completion.choices[0]?.message;
    expect(message?.content).toBe("Let me check.");
    const calls = (message?.tool_calls ?? []).map((call) => (call.type === "function" ? call : undefined));
    expect(calls.map((call) => call?.id)).toEqual(["call_fixed", expect.stringMatching(/^call_/)]);
    expect(calls.map((call) => JSON.parse(call?.function.arguments ?? "null"))).toEqual([
      { city: "Lyon", units: "metric" },
      { zone: "Europe/Paris" },
    ]);
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("surfaces a 429 as RateLimitError with a readable retry-after header", async () => {
    server.script(vendor, { type: "error", status: 429, retryAfterSeconds: 7 });

    const error = await client()
      .chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get("retry-after")).toBe("7");
    expect(rateLimit.code).toBe("rate_limit_exceeded");
  });

  it("surfaces a 500 as InternalServerError carrying the scripted message", async () => {
    server.script(vendor, { type: "error", status: 500, message: "boom" });

    const error = await client()
      .chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }], stream: true })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).message).toBe("500 boom");
  });

  it("rejects promptly when a hanging request is aborted", async () => {
    server.script(vendor, { type: "hang" });
    const controller = new AbortController();

    const pending = client().chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] }, { signal: controller.signal });
    await server.waitForRequests(1);
    await expectStillPending(pending);
    controller.abort();

    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it("makes the SDK throw on a malformed body, streamed or not", async () => {
    server.script(vendor, { type: "malformed" }, { type: "malformed" });
    const quiet = new OpenAI({ apiKey: "sk-test", baseURL: server.baseUrls[vendor], maxRetries: 0, logLevel: "off" });

    await expect(quiet.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] })).rejects.toThrow(SyntaxError);
    const stream = await quiet.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }], stream: true });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow(SyntaxError);
  });
});

describe("openai SDK default retries", () => {
  it("retries a 429 that carries retry-after and returns the next answer", async () => {
    server.script("openai", { type: "error", status: 429, retryAfterSeconds: 0 }, { type: "text", text: "after the retry" });
    const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseUrls.openai });

    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });

    expect(completion.choices[0]?.message.content).toBe("after the retry");
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.headers["x-stainless-retry-count"]).toBe("1");
  });
});

describe("openai embeddings", () => {
  const client = () => new OpenAI({ apiKey: "sk-test", baseURL: server.baseUrls.openai, maxRetries: 0 });

  it("returns deterministic normalised vectors through the SDK's default base64 encoding", async () => {
    const response = await client().embeddings.create({ model: "text-embedding-3-small", input: ["red apple", "Apple red", "blue sky"] });

    expect(server.requests[0]?.body.encoding_format).toBe("base64");
    const [first, second, third] = response.data.map((item) => item.embedding);
    expect(first).toHaveLength(64);
    expect(first).toEqual(second);
    expect(first).not.toEqual(third);
    const norm = Math.sqrt((first ?? []).reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
    mockEmbedding("red apple").forEach((value, index) => {
      expect(first?.[index]).toBeCloseTo(value, 6);
    });
    expect(response.usage.prompt_tokens).toBe(3 + 3 + 2);
  });

  it("honours dimensions and float encoding", async () => {
    const response = await client().embeddings.create({
      model: "text-embedding-3-small",
      input: "hello world",
      dimensions: 8,
      encoding_format: "float",
    });

    expect(response.data[0]?.embedding).toEqual(mockEmbedding("hello world", 8));
  });
});

describe("openai protocol errors outside the SDK", () => {
  it("answers 401 with the OpenAI error body when the bearer key is missing", async () => {
    const response = await fetch(`${server.baseUrls.openai}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] }),
    });

    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toEqual({
      error: { message: expect.stringContaining("API key"), type: "invalid_request_error", param: null, code: null },
    });
  });

  it("answers 400 for a missing model or missing messages", async () => {
    const post = (body: unknown) =>
      fetch(`${server.baseUrls.deepseek}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sk-test" },
        body: JSON.stringify(body),
      });

    const missingModel = await post({ messages: [{ role: "user", content: "Hi" }] });
    expect(missingModel.status).toBe(400);
    expect((await missingModel.json()).error.message).toBe("you must provide a model parameter");

    const missingMessages = await post({ model: "deepseek-chat" });
    expect(missingMessages.status).toBe(400);
    expect((await missingMessages.json()).error).toMatchObject({ param: "messages", code: "missing_required_parameter" });
  });

  it("ends a hanging request when the server closes", async () => {
    const own = await startMockLlmServer();
    own.script("openai", { type: "hang" });
    const client = new OpenAI({ apiKey: "sk-test", baseURL: own.baseUrls.openai, maxRetries: 0 });

    const pending = client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
    await own.waitForRequests(1);
    await own.close();

    await expect(pending).rejects.toBeInstanceOf(APIConnectionError);
  });
});
