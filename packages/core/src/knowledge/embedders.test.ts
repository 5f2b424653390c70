/**
 * The provider embedders against the protocol-faithful mock servers: OpenAI's /v1/embeddings through
 * the official SDK and Ollama's /api/embed, vectors normalised and in input order; a provider returning
 * the wrong dimensions is PRECONDITION_FAILED, a provider error UNAVAILABLE; the offline embedder is
 * deterministic.
 */
import { type MockLlmServer, mockEmbedding, startMockLlmServer } from "@gathering/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { embedLocal } from "../llm/embeddings";
import { createOllamaEmbedder, createOpenAiEmbedder, localEmbedder, normalise } from "./embedders";
import { labelledDocuments } from "./fixtures/labelled-corpus";

let mock: MockLlmServer;

beforeAll(async () => {
  mock = await startMockLlmServer();
});
afterAll(async () => {
  await mock.close();
});

async function codeOf(work: Promise<unknown>) {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "succeeded";
}

describe("embedders", () => {
  it("embeds through OpenAI's API with the requested dimensions, in input order", async () => {
    const embedder = createOpenAiEmbedder(
      { provider: "openai", model: "text-embedding-3-small", dimensions: 1536 },
      { apiKey: "sk-test-openai-0001", baseUrl: mock.baseUrls.openai },
    );
    const texts = Array.from({ length: 70 }, (_, index) => `text number ${index}`);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(70);
    expect(vectors[69]).toEqual(normalise(mockEmbedding("text number 69", 1536)));
    const request = mock.requests.find((entry) => entry.path.endsWith("/embeddings"))?.body as { dimensions?: number; input?: string[] };
    expect(request.dimensions).toBe(1536);
    // Batches of 64: two requests for 70 texts.
    expect(mock.requests.filter((entry) => entry.path.endsWith("/embeddings"))).toHaveLength(2);
  });

  it("embeds through Ollama's /api/embed", async () => {
    const embedder = createOllamaEmbedder(
      { provider: "ollama", model: "nomic-embed-text", dimensions: 64 },
      { baseUrl: mock.baseUrls.ollama },
    );
    const [first, second] = await embedder.embed(["red apple", "blue sky"]);
    expect(first).toEqual(normalise(mockEmbedding("red apple", 64)));
    expect(second).toEqual(normalise(mockEmbedding("blue sky", 64)));
  });

  it("refuses vectors of the wrong size and reports provider errors as UNAVAILABLE", async () => {
    const wrong = createOllamaEmbedder(
      { provider: "ollama", model: "nomic-embed-text", dimensions: 768 },
      { baseUrl: mock.baseUrls.ollama },
    );
    expect(await codeOf(wrong.embed(["x"]))).toBe("PRECONDITION_FAILED");
    const unauthorised = createOpenAiEmbedder(
      { provider: "openai", model: "text-embedding-3-small", dimensions: 1536 },
      { apiKey: "", baseUrl: mock.baseUrls.openai },
    );
    expect(await codeOf(unauthorised.embed(["x"]))).toBe("UNAVAILABLE");
    const down = createOllamaEmbedder({ provider: "ollama", model: "m", dimensions: 64 }, { baseUrl: "http://127.0.0.1:9" });
    expect(await codeOf(down.embed(["x"]))).toBe("UNAVAILABLE");
  });

  it("the offline embedder is deterministic and normalised", async () => {
    const [a] = await localEmbedder.embed(["The same words"]);
    const [b] = await localEmbedder.embed(["The same words"]);
    expect(a).toEqual(b);
    expect(Math.hypot(...(a ?? []))).toBeCloseTo(1, 5);
  });

  it("the offline embedder's batch gives embedLocal's vectors bit for bit (words repeated within and across texts)", async () => {
    const corpus = labelledDocuments.flatMap((document) => document.markdown.split(/\n\n+/));
    const texts = [...corpus, "", "   ", "!!!", "Ünïcödé ﬁ ligatures and 数字 123 ½", corpus[0] ?? "", "the the the THE"];
    const batch = await localEmbedder.embed(texts);
    expect(batch).toHaveLength(texts.length);
    for (const [index, text] of texts.entries()) {
      expect(batch[index], JSON.stringify(text.slice(0, 40))).toEqual(Float32Array.from(embedLocal(text)));
    }
  });
});
