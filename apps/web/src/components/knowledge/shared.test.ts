import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { chunkHref, documentChangeOf, embeddingModelOptionLabel, formatHeadingPath, knowledgeBaseChangeOf } from "./shared";
import { refusalOf } from "./transfer";

describe("documentChangeOf", () => {
  const ids = { knowledgeBaseId: "b0b1c2d3-0000-4000-8000-000000000001", documentId: "d0d1c2d3-0000-4000-8000-000000000002" };

  it("reads a progress event, keeping the progress between 0 and 1", () => {
    expect(documentChangeOf({ ...ids, status: "processing", progress: 0.4 })).toEqual({
      ...ids,
      kind: "progress",
      status: "processing",
      progress: 0.4,
    });
    expect(documentChangeOf({ ...ids, status: "processing", progress: 7 })).toMatchObject({ progress: 1 });
    expect(documentChangeOf({ ...ids, status: "queued", progress: -1 })).toMatchObject({ progress: 0 });
    expect(documentChangeOf({ ...ids, status: "ready" })).toMatchObject({ kind: "progress", status: "ready", progress: 0 });
  });

  it("reads a deletion", () => {
    expect(documentChangeOf({ ...ids, status: "deleted", progress: 0 })).toEqual({ ...ids, kind: "deleted" });
  });

  it("ignores what is not a document change", () => {
    expect(documentChangeOf(null)).toBeNull();
    expect(documentChangeOf("ready")).toBeNull();
    expect(documentChangeOf({ ...ids, status: "exploded", progress: 1 })).toBeNull();
    expect(documentChangeOf({ documentId: ids.documentId, status: "ready", progress: 1 })).toBeNull();
    expect(documentChangeOf({ ...ids, documentId: 42, status: "ready", progress: 1 })).toBeNull();
  });
});

describe("knowledgeBaseChangeOf", () => {
  it("reads a base's change and ignores anything else", () => {
    expect(knowledgeBaseChangeOf({ knowledgeBaseId: "b1", change: "reindexed" })).toEqual({ knowledgeBaseId: "b1", change: "reindexed" });
    expect(knowledgeBaseChangeOf({ knowledgeBaseId: "b1" })).toBeNull();
    expect(knowledgeBaseChangeOf([])).toBeNull();
  });
});

describe("citations and labels", () => {
  it("links a citation to its chunk in its knowledge base", () => {
    expect(chunkHref({ knowledgeBaseId: "base-1", chunkId: "chunk 2" })).toBe("/knowledge/base-1?chunk=chunk+2");
  });

  it("reads a heading path from the outermost heading in", () => {
    expect(formatHeadingPath(["Guide", "Install", "Linux"])).toBe("Guide › Install › Linux");
    expect(formatHeadingPath([])).toBe("");
  });

  it("says the offline embedder is offline and needs no key", () => {
    const offline = { provider: "local", model: "local-hash-256", dimensions: 256, label: "Built-in", isOffline: true } as const;
    const openai = {
      provider: "openai",
      model: "text-embedding-3-small",
      dimensions: 1536,
      label: "OpenAI text-embedding-3-small",
      isOffline: false,
    } as const;
    expect(embeddingModelOptionLabel(offline)).toBe("Offline, built in (no API key): local-hash-256 · 256 dimensions");
    expect(embeddingModelOptionLabel(openai)).toBe("OpenAI text-embedding-3-small · 1536 dimensions");
  });
});

describe("refusalOf", () => {
  it("takes the message, app code, reason and field errors from a tRPC error answer", () => {
    const answer = {
      error: superjson.serialize({
        message: "The document is empty",
        code: -32600,
        data: { appCode: "BAD_REQUEST", details: { reason: "empty-document" }, zodError: null, httpStatus: 400 },
      }),
    };
    const refusal = refusalOf(400, JSON.stringify(answer));
    expect(refusal.message).toBe("The document is empty");
    expect(refusal.appCode).toBe("BAD_REQUEST");
    expect(refusal.reason).toBe("empty-document");

    const invalid = {
      error: superjson.serialize({
        message: "Invalid input",
        code: -32600,
        data: { appCode: "VALIDATION_FAILED", details: null, zodError: { formErrors: [], fieldErrors: { name: ["Give it a name"] } } },
      }),
    };
    expect(refusalOf(400, JSON.stringify(invalid)).fieldErrors).toEqual({ name: ["Give it a name"] });
  });

  it("says what it can when the answer is not the API's (a proxy's error page, an empty body)", () => {
    const fromProxy = refusalOf(502, "<html>Bad gateway</html>");
    expect(fromProxy.message).toBe("The upload failed (HTTP 502)");
    expect(fromProxy.appCode).toBeNull();
    expect(refusalOf(413, "").message).toBe("The upload failed (HTTP 413)");
  });
});
