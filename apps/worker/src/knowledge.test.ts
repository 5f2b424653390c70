/**
 * Knowledge ingestion on a real Graphile Worker: a document added through the domain function is
 * chunked and embedded by the worker's `knowledge:ingest-document` job (OpenAI embeddings from the mock
 * server, through the project's key), turns ready and is found by search; its progress events are in
 * the events table for the dashboard.
 */
import {
  addKnowledgeDocument,
  createKnowledgeBase,
  createLogger,
  getKnowledgeDocument,
  type Logger,
  parseKeyring,
  searchKnowledgeBases,
  signUp,
  updateProviderSettings,
} from "@gathering/core";
import { schema } from "@gathering/db";
import { knowledgeQueue } from "@gathering/jobs";
import { createTestDatabase, type MockLlmServer, startMockLlmServer, type TestDatabase } from "@gathering/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "./run-worker";

const keyring = parseKeyring("test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const logger = createLogger({ level: "silent" }) as Logger;
let database: TestDatabase;
let mock: MockLlmServer;
let worker: WorkerHandle | undefined;
let actor: { userId: string };
let projectId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  mock = await startMockLlmServer();
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "kb-worker@example.com", name: "Kb", password: "correct horse battery staple" },
  );
  actor = { userId: account.id };
  projectId = account.projectId;
  await updateProviderSettings(database.db, keyring, actor, {
    projectId,
    apiKeys: { openai: "sk-test-openai-0001" },
    settings: { openai: { baseUrl: mock.baseUrls.openai } },
  });
  worker = await startWorker({ connectionString: database.url, logger, keyring, concurrency: 2, pollIntervalMs: 200, scheduleTickMs: 0 });
});
afterAll(async () => {
  await worker?.stop();
  await mock?.close();
  await database?.drop();
});

describe("knowledge ingestion on the worker", () => {
  it("indexes an uploaded document with OpenAI embeddings and makes it searchable", async () => {
    const base = await createKnowledgeBase(database.db, actor, {
      projectId,
      name: "Runbooks",
      embedding: { provider: "openai", model: "text-embedding-3-small", dimensions: 256 },
    });
    const document = await addKnowledgeDocument(database.db, { queue: knowledgeQueue }, actor, {
      projectId,
      knowledgeBaseId: base.id,
      name: "restart.md",
      contentBase64: Buffer.from("# Restart\n\nTo restart the billing service run the deploy pipeline with the restart flag.").toString(
        "base64",
      ),
    });
    await expect
      .poll(async () => (await getKnowledgeDocument(database.db, { projectId, documentId: document.id })).status, { timeout: 20_000 })
      .toBe("ready");
    expect(mock.requests.some((request) => request.path.endsWith("/embeddings"))).toBe(true);
    const result = await searchKnowledgeBases(
      database.db,
      { keyring },
      { projectId, knowledgeBaseIds: [base.id], query: "restart billing service" },
    );
    expect(result.hits[0]?.documentId).toBe(document.id);
    const events = await database.db
      .select({ payload: schema.events.payload })
      .from(schema.events)
      .where(eq(schema.events.topic, "knowledge_documents.changed"));
    expect(events.map((event) => (event.payload as { status: string }).status)).toEqual(["queued", "processing", "ready"]);
  });
});
