/** The Anthropic mock driven through the official `@anthropic-ai/sdk`, unmodified. */
import Anthropic, { APIUserAbortError, InternalServerError, OverloadedError, RateLimitError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
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

const model = "claude-haiku-5-5";
const client = () => new Anthropic({ apiKey: "sk-ant-test", baseURL: server.baseUrls.anthropic, maxRetries: 0 });
const weatherTool: Anthropic.Tool = {
  name: "get_weather",
  description: "Current weather",
  input_schema: { type: "object", properties: { city: { type: "string" } } },
};

function anthropicFetch(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.baseUrls.anthropic}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01", ...headers },
    body: JSON.stringify(body),
  });
}

describe("anthropic messages through the SDK", () => {
  it("answers a scripted text with the scripted usage", async () => {
    server.script("anthropic", { type: "text", text: "Bonjour", usage: { inputTokens: 12, outputTokens: 2 } });

    const message = await client().messages.create({ model, max_tokens: 256, messages: [{ role: "user", content: "Hi" }] });

    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: "text", text: "Bonjour" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 2 });
  });

  it("echoes the last user message, counting the system prompt in the input estimate", async () => {
    const message = await client().messages.create({
      model,
      max_tokens: 256,
      system: "Be brief",
      messages: [{ role: "user", content: [{ type: "text", text: "ping" }] }],
    });

    expect(message.content).toEqual([{ type: "text", text: "Echo: ping" }]);
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 3 });
  });

  it("streams text deltas that assemble into the scripted text", async () => {
    server.script("anthropic", { type: "text", text: "The quick brown fox", usage: { inputTokens: 9, outputTokens: 5 } });

    const stream = client().messages.stream({ model, max_tokens: 256, messages: [{ role: "user", content: "Tell me" }] });
    const deltas: string[] = [];
    stream.on("text", (delta) => deltas.push(delta));
    const message = await stream.finalMessage();

    expect(deltas).toEqual(["The ", "quick ", "brown ", "fox"]);
    expect(message.content).toEqual([{ type: "text", text: "The quick brown fox" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({ input_tokens: 9, output_tokens: 5 });
  });

  it("sends the vendor's SSE event sequence, ping included", async () => {
    server.script("anthropic", { type: "text", text: "a b" });

    const response = await anthropicFetch({ model, max_tokens: 16, stream: true, messages: [{ role: "user", content: "x" }] });
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);

    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(events).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("completes a tool-use round trip", async () => {
    server.script("anthropic", { type: "tool_calls", text: "Checking.", calls: [{ name: "get_weather", arguments: { city: "Paris" } }] });
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Weather in Paris?" }];

    const first = await client().messages.create({ model, max_tokens: 256, messages, tools: [weatherTool] });
    const toolUse = first.content.find((block) => block.type === "tool_use");
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content[0]).toEqual({ type: "text", text: "Checking." });
    if (toolUse?.type !== "tool_use") throw new Error("expected a tool_use block");
    expect(toolUse.id).toMatch(/^toolu_01[A-Za-z0-9]{22}$/);
    expect(toolUse).toMatchObject({ name: "get_weather", input: { city: "Paris" } });

    messages.push(
      { role: "assistant", content: first.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: "18C sunny" }] },
    );
    const second = await client().messages.create({ model, max_tokens: 256, messages, tools: [weatherTool] });

    expect(second.content).toEqual([{ type: "text", text: "Echo: tool result 18C sunny" }]);
    expect(server.requests[1]?.body.messages[2].content[0].tool_use_id).toBe(toolUse.id);
  });

  it("streams tool_use input as input_json_delta fragments the SDK assembles", async () => {
    server.script("anthropic", {
      type: "tool_calls",
      calls: [{ id: "toolu_fixed", name: "get_weather", arguments: { city: "Lyon", units: "metric", days: [1, 2] } }],
      usage: { inputTokens: 20, outputTokens: 15 },
    });

    const message = await client()
      .messages.stream({ model, max_tokens: 256, messages: [{ role: "user", content: "Weather?" }], tools: [weatherTool] })
      .finalMessage();

    expect(message.content).toEqual([
      { type: "tool_use", id: "toolu_fixed", name: "get_weather", input: { city: "Lyon", units: "metric", days: [1, 2] } },
    ]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage.output_tokens).toBe(15);
  });

  it("surfaces a 429 as RateLimitError with the retry-after header and the vendor error body", async () => {
    server.script("anthropic", { type: "error", status: 429, retryAfterSeconds: 12 });

    const error = await client()
      .messages.create({ model, max_tokens: 256, messages: [{ role: "user", content: "Hi" }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.headers.get("retry-after")).toBe("12");
    expect(rateLimit.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(rateLimit.requestID).toMatch(/^req_/);
  });

  it("surfaces a 500 as InternalServerError and a 529 as OverloadedError", async () => {
    server.script("anthropic", { type: "error", status: 500 }, { type: "error", status: 529 });
    const request = () => client().messages.create({ model, max_tokens: 256, messages: [{ role: "user", content: "Hi" }] });

    const internal = await request().catch((caught: unknown) => caught);
    const overloaded = await request().catch((caught: unknown) => caught);

    expect(internal).toBeInstanceOf(InternalServerError);
    expect((internal as InternalServerError).error).toMatchObject({ error: { type: "api_error" } });
    expect(overloaded).toBeInstanceOf(OverloadedError);
    expect((overloaded as OverloadedError).error).toMatchObject({ error: { type: "overloaded_error" } });
  });

  it("rejects promptly when a hanging stream is aborted", async () => {
    server.script("anthropic", { type: "hang" });
    const controller = new AbortController();

    const pending = client()
      .messages.stream({ model, max_tokens: 256, messages: [{ role: "user", content: "Hi" }] }, { signal: controller.signal })
      .finalMessage();
    await server.waitForRequests(1);
    await expectStillPending(pending);
    controller.abort();

    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it("makes the SDK throw on a malformed body, streamed or not", async () => {
    server.script("anthropic", { type: "malformed" }, { type: "malformed" });
    const quiet = new Anthropic({ apiKey: "sk-ant-test", baseURL: server.baseUrls.anthropic, maxRetries: 0, logLevel: "off" });
    const params = { model, max_tokens: 256, messages: [{ role: "user" as const, content: "Hi" }] };

    await expect(quiet.messages.create(params)).rejects.toThrow(SyntaxError);
    // MessageStream wraps the parse failure in an AnthropicError whose cause is the SyntaxError.
    await expect(quiet.messages.stream(params).finalMessage()).rejects.toMatchObject({ cause: expect.any(SyntaxError) });
  });

  it("retries a 429 with the SDK's default retries", async () => {
    server.script("anthropic", { type: "error", status: 429, retryAfterSeconds: 1, retryAfterMs: 10 }, { type: "text", text: "later" });
    const retrying = new Anthropic({ apiKey: "sk-ant-test", baseURL: server.baseUrls.anthropic });

    const message = await retrying.messages.create({ model, max_tokens: 256, messages: [{ role: "user", content: "Hi" }] });

    expect(message.content).toEqual([{ type: "text", text: "later" }]);
    expect(server.requests.map((request) => request.headers["x-stainless-retry-count"])).toEqual(["0", "1"]);
  });
});

describe("anthropic request validation", () => {
  it("answers 401 without x-api-key", async () => {
    const response = await anthropicFetch({ model, max_tokens: 16, messages: [{ role: "user", content: "x" }] }, { "x-api-key": "" });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });

  it("answers 400 invalid_request_error for a missing max_tokens or model", async () => {
    const missingMaxTokens = await anthropicFetch({ model, messages: [{ role: "user", content: "x" }] });
    const missingModel = await anthropicFetch({ max_tokens: 16, messages: [{ role: "user", content: "x" }] });

    expect(missingMaxTokens.status).toBe(400);
    expect(await missingMaxTokens.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
    expect(missingModel.status).toBe(400);
    expect(await missingModel.json()).toMatchObject({ error: { type: "invalid_request_error", message: "model: Field required" } });
  });
});
