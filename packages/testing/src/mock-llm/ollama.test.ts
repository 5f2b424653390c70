/** The Ollama native API mock driven by a plain fetch client with NDJSON parsing. */
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

interface OllamaChatLine {
  model: string;
  message: { role: string; content: string; tool_calls?: Array<{ function: { name: string; arguments: Record<string, unknown> } }> };
  done: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
}

function postOllama(path: string, body: unknown, signal?: AbortSignal) {
  return fetch(`${server.baseUrls.ollama}${path}`, { method: "POST", body: JSON.stringify(body), signal });
}

/** Reads an NDJSON body line by line, as an Ollama client does. */
async function readNdjson(response: Response): Promise<OllamaChatLine[]> {
  if (!response.body) throw new Error("no body");
  const decoder = new TextDecoder();
  const lines: OllamaChatLine[] = [];
  let buffer = "";
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffer += decoder.decode(read.value, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) lines.push(JSON.parse(line));
      newline = buffer.indexOf("\n");
    }
  }
  if (buffer.trim()) lines.push(JSON.parse(buffer));
  return lines;
}

describe("ollama /api/chat", () => {
  it("streams NDJSON by default, assembling into the scripted text with a final done line", async () => {
    server.script("ollama", { type: "text", text: "Hello from llama", usage: { inputTokens: 6, outputTokens: 4 } });

    const response = await postOllama("/api/chat", { model: "llama3.2", messages: [{ role: "user", content: "Hi" }] });
    const lines = await readNdjson(response);

    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    expect(lines.map((line) => line.message.content).join("")).toBe("Hello from llama");
    expect(lines.slice(0, -1).every((line) => !line.done)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ model: "llama3.2", done: true, done_reason: "stop", prompt_eval_count: 6, eval_count: 4 });
  });

  it("answers one JSON object with stream false", async () => {
    const response = await postOllama("/api/chat", { model: "llama3.2", stream: false, messages: [{ role: "user", content: "ping" }] });
    const body = await response.json();

    expect(body).toMatchObject({ message: { role: "assistant", content: "Echo: ping" }, done: true, done_reason: "stop" });
    expect(body.prompt_eval_count).toBe(1);
    expect(body.eval_count).toBe(3);
  });

  it("completes a tool-call round trip with object arguments", async () => {
    server.script("ollama", { type: "tool_calls", calls: [{ name: "get_weather", arguments: { city: "Paris" } }] });
    const messages: unknown[] = [{ role: "user", content: "Weather in Paris?" }];

    const lines = await readNdjson(await postOllama("/api/chat", { model: "qwen2.5", messages }));
    const toolLine = lines.find((line) => line.message.tool_calls);
    expect(toolLine?.message.tool_calls?.[0]?.function).toMatchObject({ name: "get_weather", arguments: { city: "Paris" } });
    expect(lines.at(-1)?.done).toBe(true);

    messages.push(toolLine?.message, { role: "tool", content: "18C sunny", tool_name: "get_weather" });
    const answer = await (await postOllama("/api/chat", { model: "qwen2.5", stream: false, messages })).json();

    expect(answer.message.content).toBe("Echo: tool result 18C sunny");
  });

  it("answers a scripted error with the Ollama error body", async () => {
    server.script("ollama", { type: "error", status: 429, retryAfterSeconds: 3, message: "too many requests" });

    const response = await postOllama("/api/chat", { model: "llama3.2", messages: [{ role: "user", content: "Hi" }] });

    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await response.json()).toEqual({ error: "too many requests" });
  });

  it("answers 400 when the model is missing", async () => {
    const response = await postOllama("/api/chat", { messages: [{ role: "user", content: "Hi" }] });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "model is required" });
  });

  it("lets a hanging request be aborted", async () => {
    server.script("ollama", { type: "hang" });
    const controller = new AbortController();

    const pending = postOllama("/api/chat", { model: "llama3.2", messages: [{ role: "user", content: "Hi" }] }, controller.signal);
    await server.waitForRequests(1);
    await expectStillPending(pending);
    controller.abort();

    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("sends a malformed NDJSON line that a client cannot parse", async () => {
    server.script("ollama", { type: "malformed" }, { type: "malformed" });

    await expect(
      readNdjson(await postOllama("/api/chat", { model: "llama3.2", messages: [{ role: "user", content: "Hi" }] })),
    ).rejects.toThrow(SyntaxError);
    const single = await postOllama("/api/chat", { model: "llama3.2", stream: false, messages: [{ role: "user", content: "Hi" }] });
    await expect(single.json()).rejects.toThrow(SyntaxError);
  });
});

describe("ollama embeddings and tags", () => {
  it("embeds deterministically with the requested dimensions", async () => {
    const response = await postOllama("/api/embed", { model: "nomic-embed-text", input: ["red apple", "blue sky"], dimensions: 16 });
    const body = await response.json();

    expect(body.model).toBe("nomic-embed-text");
    expect(body.embeddings).toEqual([mockEmbedding("red apple", 16), mockEmbedding("blue sky", 16)]);
    expect(body.prompt_eval_count).toBe(3 + 2);
  });

  it("lists the configured models", async () => {
    const response = await fetch(`${server.baseUrls.ollama}/api/tags`);
    const body = await response.json();

    expect(body.models.map((model: { name: string }) => model.name)).toContain("llama3.2:latest");
    expect(body.models[0].details.format).toBe("gguf");
  });
});
