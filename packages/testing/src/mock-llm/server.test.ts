/** Scripting, recording and lifecycle of the mock LLM server, and its standalone entry. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
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

const openai = () => new OpenAI({ apiKey: "sk-test", baseURL: server.baseUrls.openai, maxRetries: 0 });

async function ask(model: string, content = "Hi"): Promise<string | null | undefined> {
  const completion = await openai().chat.completions.create({ model, messages: [{ role: "user", content }] });
  return completion.choices[0]?.message.content;
}

describe("scripts", () => {
  it("answers in FIFO order, then falls back to echo", async () => {
    server.script("openai", { type: "text", text: "first" }, { type: "text", text: "second" });

    expect(await ask("gpt-4o")).toBe("first");
    expect(await ask("gpt-4o")).toBe("second");
    expect(await ask("gpt-4o", "third?")).toBe("Echo: third?");
  });

  it("matches a step carrying a model only to requests for that model", async () => {
    server.script("openai", { type: "text", text: "for the small model", model: "gpt-small" }, { type: "text", text: "for any model" });

    expect(await ask("gpt-large")).toBe("for any model");
    expect(await ask("gpt-large", "again")).toBe("Echo: again");
    expect(await ask("gpt-small")).toBe("for the small model");
  });

  it("keeps each vendor's script to itself", async () => {
    server.script("deepseek", { type: "text", text: "from deepseek" });
    const deepseek = new OpenAI({ apiKey: "sk-test", baseURL: server.baseUrls.deepseek, maxRetries: 0 });

    expect(await ask("gpt-4o", "openai?")).toBe("Echo: openai?");
    const completion = await deepseek.chat.completions.create({ model: "deepseek-chat", messages: [{ role: "user", content: "Hi" }] });
    expect(completion.choices[0]?.message.content).toBe("from deepseek");
  });

  it("forgets scripts and recorded requests on reset", async () => {
    server.script("openai", { type: "text", text: "scripted" });
    await ask("gpt-4o", "one");
    server.script("openai", { type: "text", text: "dropped by reset" });

    server.reset();

    expect(server.requests).toEqual([]);
    expect(await ask("gpt-4o", "two")).toBe("Echo: two");
  });
});

describe("recorded requests", () => {
  it("records vendor, path, model, body, headers and whether the request streams", async () => {
    await ask("gpt-4o", "recorded");
    const stream = await openai().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "s" }],
      stream: true,
    });
    for await (const _chunk of stream) {
      // drain
    }
    await fetch(`${server.baseUrls.ollama}/api/chat`, { method: "POST", body: JSON.stringify({ model: "llama3.2", messages: [] }) });

    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]).toMatchObject({
      vendor: "openai",
      path: "/openai/v1/chat/completions",
      model: "gpt-4o",
      stream: false,
      body: { messages: [{ role: "user", content: "recorded" }] },
      headers: { authorization: "Bearer sk-test" },
    });
    expect(server.requests[1]).toMatchObject({ model: "gpt-4o-mini", stream: true });
    // Ollama streams unless told otherwise.
    expect(server.requests[2]).toMatchObject({ vendor: "ollama", path: "/ollama/api/chat", model: "llama3.2", stream: true });
  });

  it("answers unknown routes with each vendor's 404", async () => {
    const openaiMissing = await fetch(`${server.baseUrls.openai}/nope`, { method: "POST", headers: { authorization: "Bearer sk-test" } });
    const anthropicMissing = await fetch(`${server.baseUrls.anthropic}/v1/nope`, { method: "POST" });
    const nowhere = await fetch(`${server.url}/mistral/v1/chat/completions`, { method: "POST" });

    expect(openaiMissing.status).toBe(404);
    expect((await openaiMissing.json()).error.message).toBe("Invalid URL (POST /v1/nope)");
    expect(anthropicMissing.status).toBe(404);
    expect(await anthropicMissing.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(nowhere.status).toBe(404);
  });
});

describe("standalone entry", () => {
  it("prints its base URLs, serves requests and stops on SIGTERM", async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const tsx = path.resolve(here, "../../../../node_modules/.bin/tsx");
    const child = spawn(tsx, [path.join(here, "standalone.ts"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    const openaiBaseUrl = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`standalone exited early with ${code}: ${output}`)));
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /openai\s+(http:\/\/\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
    });

    const client = new OpenAI({ apiKey: "sk-test", baseURL: openaiBaseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "standalone" }] });
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;

    expect(completion.choices[0]?.message.content).toBe("Echo: standalone");
    expect(output).toMatch(/anthropic\s+http:\/\/127\.0\.0\.1:\d+\/anthropic/);
    expect(code).toBe(0);
  });
});
