/**
 * knowledge.* through the API on a real database: a base, documents of every format ingested by the
 * job's own function (as the worker runs it), hybrid search with citations, delete removing chunks from
 * results at once, re-index after a model change, typed errors with nothing stored (malformed PDF,
 * empty file, 50 MB file, a blocked URL), retry of a failed document, and tenant isolation.
 */
import { createLogger, type Embedder, ingestKnowledgeDocument, type Logger, updateProviderSettings } from "@gathering/core";
import { schema } from "@gathering/db";
import { knowledgeQueue } from "@gathering/jobs";
import { createTestDatabase, type MockLlmServer, startMockLlmServer, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServices, Caller } from "./context";
import { callerFor, createTestServices, signUpCaller, testKeyring } from "./test-services";

let database: TestDatabase;
let services: ApiServices;
let alice: Caller;
let mallory: Caller;
let projectId: string;
let malloryProjectId: string;
const logger = createLogger({ level: "silent" }) as Logger;
let mock: MockLlmServer;

const api = () => callerFor(services, alice);
const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");

async function failure(call: Promise<unknown>): Promise<{ code: string; reason?: unknown }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) {
      const cause = error.cause as { code?: string; details?: Record<string, unknown> } | undefined;
      return { code: cause?.code ?? error.code, reason: cause?.details?.reason };
    }
    throw error;
  }
  return { code: "succeeded" };
}

async function rowCounts() {
  const [documents] = await database.db.select({ n: count() }).from(schema.knowledgeDocuments);
  const [chunks] = await database.db.select({ n: count() }).from(schema.knowledgeChunks);
  const [jobs] = await database.db.execute<{ n: number }>(
    sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'knowledge:ingest-document'`,
  );
  return { documents: documents?.n, chunks: chunks?.n, jobs: jobs?.n };
}

/** Runs every queued ingestion job the way the worker does, then removes the jobs. */
async function runIngestionJobs(options: { embedderFor?: () => Embedder; attempt?: number; maxAttempts?: number } = {}) {
  const outcomes: string[] = [];
  for (let round = 0; round < 5; round += 1) {
    const jobs = await database.db.execute<{ id: string; payload: { documentId: string; generation: number } }>(
      sql`select j.id::text, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
          where t.identifier = 'knowledge:ingest-document' order by j.id`,
    );
    if (jobs.length === 0) break;
    for (const job of jobs) {
      await database.db.execute(sql`select graphile_worker.complete_jobs(array[${job.id}::bigint])`);
      outcomes.push(
        await ingestKnowledgeDocument(
          { db: database.db, queue: knowledgeQueue, logger, ...(options.embedderFor ? { embedderFor: options.embedderFor } : {}) },
          { ...job.payload, attempt: options.attempt ?? 1, maxAttempts: options.maxAttempts ?? 5 },
        ),
      );
    }
  }
  return outcomes;
}

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  ({ caller: alice, projectId } = await signUpCaller(database.db, "Alice", "kb-alice@example.com"));
  ({ caller: mallory, projectId: malloryProjectId } = await signUpCaller(database.db, "Mallory", "kb-mallory@example.com"));
});
afterAll(async () => {
  await mock?.close();
  await database.drop();
});

const handbook = [
  "# Handbook",
  "",
  "Welcome to the Acme handbook.",
  "",
  "## Vacation policy",
  "",
  "Employees get twenty-five days of paid vacation per year. Unused vacation days expire at the end of March.",
  "",
  "## Expenses",
  "",
  "Submit travel expenses within thirty days with the receipts attached. Taxis are reimbursed, limousines are not.",
].join("\n");

describe("knowledge bases and documents", () => {
  let baseId: string;
  let handbookId: string;

  it("creates a base on the offline embedder by default and lists it", async () => {
    const base = await api().knowledge.create({ projectId, name: "Handbook", chunkSize: 400, chunkOverlap: 40 });
    baseId = base.id;
    expect(base.embedding).toEqual({ provider: "local", model: "local-hash-256", dimensions: 256 });
    expect((await failure(api().knowledge.create({ projectId, name: "handbook" }))).code).toBe("CONFLICT");
    const models = await api().knowledge.embeddingModels({ projectId });
    expect(models.find((model) => model.isOffline)?.model).toBe("local-hash-256");
    expect((await api().knowledge.list({ projectId })).items.map((entry) => entry.id)).toEqual([baseId]);
    expect((await api().knowledge.list({ projectId, search: "nothing like it" })).items).toEqual([]);
  });

  it("ingests a Markdown upload through the job: queued, then ready with chunks and heading paths", async () => {
    const document = await api().knowledge.addDocument({
      projectId,
      knowledgeBaseId: baseId,
      name: "handbook.md",
      contentBase64: b64(handbook),
    });
    handbookId = document.id;
    expect(document).toMatchObject({ status: "queued", format: "markdown", sourceKind: "upload", chunkCount: 0 });
    // Queued, nothing searchable yet.
    expect((await api().knowledge.search({ projectId, knowledgeBaseIds: [baseId], query: "vacation" })).hits).toEqual([]);
    expect(await runIngestionJobs()).toEqual(["indexed"]);
    const ready = await api().knowledge.getDocument({ projectId, documentId: handbookId });
    expect(ready.status).toBe("ready");
    expect(ready.progress).toBe(1);
    expect(ready.chunks.map((chunk) => chunk.headingPath)).toEqual([
      ["Handbook"],
      ["Handbook", "Vacation policy"],
      ["Handbook", "Expenses"],
    ]);
    // A second run of the same job (a retry after a crash) changes nothing.
    await knowledgeQueue.enqueueIngestion(database.db, { documentId: handbookId, generation: 1 });
    expect(await runIngestionJobs()).toEqual(["skipped"]);
    expect((await rowCounts()).chunks).toBe(3);
    const events = await database.db
      .select({ payload: schema.events.payload })
      .from(schema.events)
      .where(eq(schema.events.topic, "knowledge_documents.changed"));
    const statuses = events.map((event) => (event.payload as { status: string }).status);
    expect(statuses).toEqual(expect.arrayContaining(["queued", "processing", "ready"]));
  });

  it("searches hybrid with score parts and a citation", async () => {
    const result = await api().knowledge.search({
      projectId,
      knowledgeBaseIds: [baseId],
      query: "how many vacation days do employees get",
    });
    expect(result.vectorPath).toBe("exact");
    const [top] = result.hits;
    expect(top?.headingPath).toEqual(["Handbook", "Vacation policy"]);
    expect(top?.scores.fullText?.rank).toBe(1);
    expect(top?.scores.vector?.rank).toBe(1);
    expect(top?.citation).toMatchObject({ documentId: handbookId, documentName: "handbook.md", position: 1 });
    const chunk = await api().knowledge.getChunk({ projectId, chunkId: top?.chunkId ?? "" });
    expect(chunk.content).toContain("twenty-five days");
    const filtered = await api().knowledge.search({
      projectId,
      knowledgeBaseIds: [baseId],
      query: "expenses vacation",
      filters: { heading: "Expenses" },
    });
    expect(filtered.hits.map((hit) => hit.headingPath.at(-1))).toEqual(["Expenses"]);
  });

  it("ingests text, HTML, JSON, CSV and PDF into the expected chunks", async () => {
    const html =
      "<html><head><title>Ops</title><style>p{color:red}</style><script>alert('x')</script></head><body><h1>Operations</h1><p>Deploys happen on Tuesdays.</p><h2>Rollback</h2><p>Rollbacks take five minutes.</p></body></html>";
    const pdf = minimalPdf("Quarterly revenue grew by twelve percent.");
    const inputs = [
      { name: "notes.txt", content: "Plain notes about the coffee machine on the third floor." },
      { name: "ops.html", content: html },
      { name: "config.json", content: JSON.stringify({ database: { host: "db.internal", port: 5432 }, region: "eu-west" }) },
      { name: "people.csv", content: "name,team\nAda,Compilers\nGrace,Navy" },
      { name: "report.pdf", content: pdf },
    ];
    const ids: Record<string, string> = {};
    for (const input of inputs) {
      const document = await api().knowledge.addDocument({
        projectId,
        knowledgeBaseId: baseId,
        name: input.name,
        contentBase64: b64(input.content),
      });
      ids[input.name] = document.id;
    }
    await runIngestionJobs();
    const chunksOf = async (name: string) => (await api().knowledge.getDocument({ projectId, documentId: ids[name] ?? "" })).chunks;
    expect((await chunksOf("notes.txt")).map((chunk) => chunk.content)).toEqual([
      "Plain notes about the coffee machine on the third floor.",
    ]);
    const htmlChunks = await chunksOf("ops.html");
    expect(htmlChunks.map((chunk) => [chunk.headingPath, chunk.content])).toEqual([
      [["Operations"], "# Operations\n\nDeploys happen on Tuesdays."],
      [["Operations", "Rollback"], "## Rollback\n\nRollbacks take five minutes."],
    ]);
    expect(htmlChunks.some((chunk) => /alert|color/.test(chunk.content))).toBe(false);
    expect((await chunksOf("config.json")).map((chunk) => chunk.content)).toEqual([
      "# database\n\ndatabase.host: db.internal\ndatabase.port: 5432",
      "# region\n\nregion: eu-west",
    ]);
    expect((await chunksOf("people.csv")).map((chunk) => chunk.content)).toEqual(["name: Ada; team: Compilers\n\nname: Grace; team: Navy"]);
    expect((await chunksOf("report.pdf")).map((chunk) => chunk.content)).toEqual(["Quarterly revenue grew by twelve percent."]);
  });

  it("pages the documents newest first with the same opaque string cursor as every list", async () => {
    const all = await api().knowledge.listDocuments({ projectId, knowledgeBaseId: baseId });
    expect(all.items).toHaveLength(6);
    expect(all.nextCursor).toBeNull();
    const first = await api().knowledge.listDocuments({ projectId, knowledgeBaseId: baseId, limit: 4 });
    expect(typeof first.nextCursor).toBe("string");
    const second = await api().knowledge.listDocuments({ projectId, knowledgeBaseId: baseId, limit: 4, cursor: first.nextCursor ?? "" });
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((document) => document.id)).toEqual(all.items.map((document) => document.id));
    expect(all.items.at(-1)?.id).toBe(handbookId);
    expect((await failure(api().knowledge.listDocuments({ projectId, knowledgeBaseId: baseId, cursor: "not-a-cursor" }))).code).toBe(
      "BAD_REQUEST",
    );
  });

  it("refuses a malformed PDF, an empty file, a 50 MB file and a blocked URL with typed errors, storing nothing", async () => {
    const before = await rowCounts();
    const malformed = await failure(
      api().knowledge.addDocument({
        projectId,
        knowledgeBaseId: baseId,
        name: "broken.pdf",
        contentBase64: b64("%PDF-1.7\nthis is not a pdf at all"),
      }),
    );
    expect(malformed).toEqual({ code: "BAD_REQUEST", reason: "malformed-pdf" });
    expect(
      await failure(api().knowledge.addDocument({ projectId, knowledgeBaseId: baseId, name: "empty.txt", contentBase64: "" })),
    ).toEqual({
      code: "BAD_REQUEST",
      reason: "empty-document",
    });
    expect(
      await failure(api().knowledge.addDocument({ projectId, knowledgeBaseId: baseId, name: "blank.md", contentBase64: b64("   \n\n  ") })),
    ).toEqual({ code: "BAD_REQUEST", reason: "empty-document" });
    const huge = Buffer.alloc(50 * 1024 * 1024, 97).toString("base64");
    expect(
      await failure(api().knowledge.addDocument({ projectId, knowledgeBaseId: baseId, name: "huge.txt", contentBase64: huge })),
    ).toEqual({
      code: "PAYLOAD_TOO_LARGE",
      reason: "document-too-large",
    });
    const blocked = await failure(api().knowledge.addUrl({ projectId, knowledgeBaseId: baseId, url: "http://127.0.0.1:9/secret.txt" }));
    expect(["BAD_REQUEST", "FORBIDDEN"]).toContain(blocked.code);
    const metadata = await failure(
      api().knowledge.addUrl({ projectId, knowledgeBaseId: baseId, url: "http://169.254.169.254/latest/meta-data" }),
    );
    expect(["BAD_REQUEST", "FORBIDDEN"]).toContain(metadata.code);
    expect(await rowCounts()).toEqual(before);
  });

  it("removes a deleted document's chunks from results at once", async () => {
    const query = { projectId, knowledgeBaseIds: [baseId], query: "paid vacation days" };
    expect((await api().knowledge.search(query)).hits.some((hit) => hit.documentId === handbookId)).toBe(true);
    await api().knowledge.deleteDocument({ projectId, documentId: handbookId });
    const after = await api().knowledge.search(query);
    expect(after.hits.some((hit) => hit.documentId === handbookId)).toBe(false);
    expect((await failure(api().knowledge.getDocument({ projectId, documentId: handbookId }))).code).toBe("NOT_FOUND");
  });

  it("re-indexes after a model change: the old vectors answer until the new generation is complete", async () => {
    const scaled: Embedder = {
      provider: "ollama",
      model: "fake-embed",
      dimensions: 8,
      async embed(texts) {
        return texts.map((text) => {
          const vector = new Float32Array(8);
          for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
            const slot = (word.charCodeAt(0) + word.length) % 8;
            vector[slot] = (vector[slot] ?? 0) + 1;
          }
          const norm = Math.hypot(...vector) || 1;
          return vector.map((value) => value / norm);
        });
      },
    };
    const before = await api().knowledge.get({ projectId, knowledgeBaseId: baseId });
    const started = await api().knowledge.reindex({
      projectId,
      knowledgeBaseId: baseId,
      embedding: { provider: "ollama", model: "fake-embed", dimensions: 8 },
    });
    expect(started.pendingIndex).toMatchObject({ generation: 2, model: "fake-embed" });
    expect(started.documentsQueued).toBe(before.readyDocumentCount);
    // Still generation 1 until the jobs ran.
    const during = await api().knowledge.search({ projectId, knowledgeBaseIds: [baseId], query: "coffee machine", mode: "vector" });
    expect(during.hits[0]?.content).toContain("coffee machine");
    await runIngestionJobs({ embedderFor: () => scaled });
    const after = await api().knowledge.get({ projectId, knowledgeBaseId: baseId });
    expect(after).toMatchObject({
      indexGeneration: 2,
      pendingIndex: null,
      embedding: { provider: "ollama", model: "fake-embed", dimensions: 8 },
    });
    expect(after.chunkCount).toBe(before.chunkCount);
    const [generations] = await database.db.execute<{ generations: number[] }>(
      sql`select array_agg(distinct generation) as generations from knowledge_chunks where knowledge_base_id = ${baseId}`,
    );
    expect(generations?.generations).toEqual([2]);
    const text = await api().knowledge.search({ projectId, knowledgeBaseIds: [baseId], query: "coffee machine", mode: "fulltext" });
    expect(text.hits[0]?.content).toContain("coffee machine");
  });

  it("marks a document failed with the reason when embedding fails for good, and retries it", async () => {
    const base = await api().knowledge.create({
      projectId,
      name: "Remote",
      embedding: { provider: "ollama", model: "missing-model", dimensions: 8 },
    });
    const document = await api().knowledge.addDocument({
      projectId,
      knowledgeBaseId: base.id,
      name: "a.txt",
      contentBase64: b64("Some text to embed."),
    });
    const broken: Embedder = {
      provider: "ollama",
      model: "missing-model",
      dimensions: 8,
      async embed() {
        throw new Error("connect ECONNREFUSED 127.0.0.1:11434");
      },
    };
    // Not the last attempt: the job throws so Graphile retries it.
    await expect(runIngestionJobs({ embedderFor: () => broken, attempt: 1, maxAttempts: 5 })).rejects.toThrow(/ECONNREFUSED/);
    await knowledgeQueue.enqueueIngestion(database.db, { documentId: document.id, generation: 1 });
    expect(await runIngestionJobs({ embedderFor: () => broken, attempt: 5, maxAttempts: 5 })).toEqual(["failed"]);
    const failed = await api().knowledge.getDocument({ projectId, documentId: document.id });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/ECONNREFUSED/);
    expect((await failure(api().knowledge.retryDocument({ projectId, documentId: failed.id }))).code).toBe("succeeded");
    expect((await api().knowledge.getDocument({ projectId, documentId: document.id })).status).toBe("queued");
    const working: Embedder = { ...broken, embed: async (texts) => texts.map(() => Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0])) };
    expect(await runIngestionJobs({ embedderFor: () => working })).toEqual(["indexed"]);
    expect((await api().knowledge.getDocument({ projectId, documentId: document.id })).status).toBe("ready");
    expect((await failure(api().knowledge.retryDocument({ projectId, documentId: document.id }))).code).toBe("PRECONDITION_FAILED");
  });

  it("keeps another project's knowledge base NOT_FOUND through every procedure", async () => {
    const other = callerFor(services, mallory);
    const foreign = { projectId: malloryProjectId, knowledgeBaseId: baseId };
    expect((await failure(other.knowledge.get(foreign))).code).toBe("NOT_FOUND");
    expect((await failure(other.knowledge.search({ projectId: malloryProjectId, knowledgeBaseIds: [baseId], query: "coffee" }))).code).toBe(
      "NOT_FOUND",
    );
    expect((await failure(other.knowledge.addDocument({ ...foreign, name: "x.txt", contentBase64: b64("x") }))).code).toBe("NOT_FOUND");
    expect((await failure(other.knowledge.listDocuments(foreign))).code).toBe("NOT_FOUND");
    expect((await failure(other.knowledge.reindex(foreign))).code).toBe("NOT_FOUND");
    expect((await failure(other.knowledge.delete(foreign))).code).toBe("NOT_FOUND");
    // Nor can her agents be given it.
    const attach = other.agents.create({
      projectId: malloryProjectId,
      name: "Borrower",
      role: "a thief",
      model: { provider: "local", model: "local-echo" },
      knowledgeBaseIds: [baseId],
    });
    expect((await failure(attach)).code).toBe("VALIDATION_FAILED");
    // Alice's own project, by Mallory: not a member.
    expect((await failure(other.knowledge.list({ projectId }))).code).toBe("NOT_FOUND");
    expect((await api().knowledge.get({ projectId, knowledgeBaseId: baseId })).id).toBe(baseId);
  });

  it("holds every change to knowledge bases and documents, and nothing for a refused one", async () => {
    const renamed = await api().knowledge.update({ projectId, knowledgeBaseId: baseId, description: "What the office knows" });
    expect(renamed.description).toBe("What the office knows");
    const rows = await database.db
      .select({ action: schema.auditLog.action, target: schema.auditLog.target, projectId: schema.auditLog.projectId })
      .from(schema.auditLog)
      .where(sql`${schema.auditLog.action} like 'knowledge.%'`);
    const actions = new Set(rows.map((row) => row.action));
    for (const action of [
      "knowledge.create",
      "knowledge.update",
      "knowledge.document_add",
      "knowledge.document_delete",
      "knowledge.document_retry",
      "knowledge.reindex",
    ]) {
      expect(actions).toContain(action);
    }
    // Every document that exists was audited when it was added, under its own id.
    const documents = await database.db
      .select({ id: schema.knowledgeDocuments.id })
      .from(schema.knowledgeDocuments)
      .where(eq(schema.knowledgeDocuments.projectId, projectId));
    const added = new Set(rows.filter((row) => row.action === "knowledge.document_add").map((row) => row.target));
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect(added).toContain(document.id);
    // Mallory's refused calls above left nothing in her project.
    expect(rows.every((row) => row.projectId === projectId)).toBe(true);
  });
});

describe("agents with an attached knowledge base", () => {
  let baseId: string;

  beforeAll(async () => {
    mock = await startMockLlmServer();
    await updateProviderSettings(
      database.db,
      testKeyring,
      { userId: alice.userId },
      { projectId, apiKeys: { openai: "sk-test-openai-0001" }, settings: { openai: { baseUrl: mock.baseUrls.openai } } },
    );
    const base = await api().knowledge.create({ projectId, name: "Travel policy" });
    baseId = base.id;
    await api().knowledge.addDocument({
      projectId,
      knowledgeBaseId: baseId,
      name: "travel.md",
      contentBase64: b64(
        "# Travel\n\n## Trains\n\nFirst class train tickets are allowed for trips over four hours.\n\n## Hotels\n\nHotels up to 180 euros a night are reimbursed.",
      ),
    });
    await runIngestionJobs();
  });

  it("retrieves before answering and stores the citations the answer makes", async () => {
    const agent = await api().agents.create({
      projectId,
      name: "Travel helper",
      role: "a travel policy assistant",
      model: { provider: "openai", model: "gpt-4o-mini" },
      knowledgeBaseIds: [baseId],
    });
    mock.reset();
    mock.script("openai", { type: "text", text: "Yes, for trips over four hours first class is allowed [1]." });
    const reply = await api().agents.chat({ projectId, agentId: agent.id, content: "Can I take a first class train ticket?" });
    const system =
      ((mock.requests[0]?.body ?? { messages: [] }) as { messages: Array<{ role: string; content: string }> }).messages[0]?.content ?? "";
    expect(system).toContain("[1] (travel.md › Travel › Trains)");
    expect(system).toContain("First class train tickets are allowed");
    const answer = reply.messages.at(-1);
    expect(answer?.citations).toEqual([
      expect.objectContaining({ ref: 1, knowledgeBaseId: baseId, documentName: "travel.md", headingPath: ["Travel", "Trains"] }),
    ]);
    const session = await api().agents.sessions.get({ projectId, sessionId: reply.sessionId });
    expect(session.messages.at(-1)?.citations?.[0]?.chunkId).toBe(answer?.citations?.[0]?.chunkId);
    const chunk = await api().knowledge.getChunk({ projectId, chunkId: answer?.citations?.[0]?.chunkId ?? "" });
    expect(chunk.content).toContain("First class train tickets");
  });

  it("reranks the fused hits with a model when asked, and refuses an answer that is not a score per passage", async () => {
    const plain = await api().knowledge.search({ projectId, knowledgeBaseIds: [baseId], query: "train tickets", limit: 3 });
    expect(plain.hits).toHaveLength(3);
    expect(plain.hits[0]?.headingPath.at(-1)).toBe("Trains");
    expect(plain.hits.every((hit) => hit.scores.rerank === null)).toBe(true);
    // The model prefers the passage fusion ranked last.
    mock.reset();
    mock.script("openai", { type: "text", text: '{"scores": [1, 2, 9]}' });
    const rerank = { model: { provider: "openai" as const, model: "gpt-4o-mini" } };
    const reranked = await api().knowledge.search({ projectId, knowledgeBaseIds: [baseId], query: "train tickets", limit: 3, rerank });
    expect(reranked.hits.map((hit) => hit.chunkId)).toEqual([plain.hits[2]?.chunkId, plain.hits[1]?.chunkId, plain.hits[0]?.chunkId]);
    expect(reranked.hits.map((hit) => hit.scores.rerank)).toEqual([9, 2, 1]);
    const prompt = JSON.stringify(mock.requests[0]?.body ?? {});
    expect(prompt).toContain("Query: train tickets");
    mock.script("openai", { type: "text", text: "I think the first one." });
    expect(
      (await failure(api().knowledge.search({ projectId, knowledgeBaseIds: [baseId], query: "train tickets", limit: 3, rerank }))).code,
    ).toBe("UNAVAILABLE");
  });

  it("searches its bases with the knowledge_search tool, and only those", async () => {
    const agent = await api().agents.create({
      projectId,
      name: "Hotel helper",
      role: "a travel policy assistant",
      model: { provider: "openai", model: "gpt-4o-mini" },
      knowledgeBaseIds: [baseId],
    });
    mock.reset();
    mock.script(
      "openai",
      { type: "tool_calls", calls: [{ name: "knowledge_search", arguments: { query: "hotel price per night" } }] },
      { type: "text", text: "Up to 180 euros a night." },
    );
    const reply = await api().agents.chat({ projectId, agentId: agent.id, content: "How expensive may my hotel be?" });
    const offered = ((mock.requests[0]?.body ?? {}) as { tools?: Array<{ function: { name: string } }> }).tools?.map(
      (tool) => tool.function.name,
    );
    expect(offered).toContain("knowledge_search");
    const result = reply.messages.find((message) => message.role === "tool");
    expect(result?.isError).toBe(false);
    const parsed = JSON.parse(result?.content ?? "{}") as { results: Array<{ source: string; text: string }> };
    expect(parsed.results[0]).toMatchObject({ source: "travel.md › Travel › Hotels" });
    expect(parsed.results[0]?.text).toContain("180 euros");

    // A base of the project that is not attached to the agent is refused.
    const other = await api().knowledge.create({ projectId, name: "Secret plans" });
    mock.reset();
    mock.script(
      "openai",
      { type: "tool_calls", calls: [{ name: "knowledge_search", arguments: { query: "plans", knowledgeBaseIds: [other.id] } }] },
      { type: "text", text: "I cannot read that." },
    );
    const refused = await api().agents.chat({ projectId, agentId: agent.id, content: "What are the secret plans?" });
    const refusal = refused.messages.find((message) => message.role === "tool");
    expect(refusal).toMatchObject({ isError: true });
    expect(refusal?.content).toMatch(/not attached/);
  });

  it("stores a citation for a passage the knowledge_search tool found, numbered on from the excerpts", async () => {
    // Eight sections: more than the five excerpts retrieved before answering, so the tool finds new ones too.
    const offices = ["Berlin", "Lisbon", "Oslo", "Nairobi", "Lima", "Osaka", "Denver", "Perth"];
    const sections = offices.map((city, index) => `## ${city} office\n\nThe ${city} office opens at ${7 + index} o'clock.`);
    const base = await api().knowledge.create({ projectId, name: "Offices" });
    await api().knowledge.addDocument({
      projectId,
      knowledgeBaseId: base.id,
      name: "offices.md",
      contentBase64: b64(`# Offices\n\n${sections.join("\n\n")}`),
    });
    await runIngestionJobs();
    const agent = await api().agents.create({
      projectId,
      name: "Office helper",
      role: "an office assistant",
      model: { provider: "openai", model: "gpt-4o-mini" },
      knowledgeBaseIds: [base.id],
    });
    mock.reset();
    mock.script(
      "openai",
      { type: "tool_calls", calls: [{ name: "knowledge_search", arguments: { query: "office opening hours", limit: 10 } }] },
      // The answer is written once the tool result is known: see below for which [n] it cites.
      { type: "text", text: "placeholder" },
    );
    // Run the tool step alone first to learn the refs the tool hands out, then answer citing one of them.
    const system = () =>
      ((mock.requests[0]?.body ?? { messages: [] }) as { messages: Array<{ role: string; content: string }> }).messages[0]?.content ?? "";
    const first = await api().agents.chat({ projectId, agentId: agent.id, content: "When does an office open?" });
    const tool = first.messages.find((message) => message.role === "tool");
    const found = (JSON.parse(tool?.content ?? "{}") as { results: Array<{ ref: number; chunkId: string; source: string }> }).results;
    expect(found.filter((result) => result.source.endsWith(" office"))).toHaveLength(8);
    const excerptRefs = [...system().matchAll(/^\[(\d+)\] \((offices\.md[^)\n]*)\)$/gm)].map((match) => ({
      ref: Number(match[1]),
      source: match[2],
    }));
    expect(excerptRefs).toHaveLength(5);
    // A chunk the excerpts already numbered keeps its number; the others are numbered on from 6, once each.
    for (const result of found) {
      const excerpt = excerptRefs.find((known) => known.source === result.source);
      if (excerpt) expect(result.ref).toBe(excerpt.ref);
      else expect(result.ref).toBeGreaterThan(5);
    }
    expect(new Set(found.map((result) => result.ref)).size).toBe(found.length);
    const fresh = found.find((result) => result.ref > 5);
    const known = found.find((result) => result.ref <= 5);
    if (!fresh || !known) throw new Error("expected both a new and a known passage");

    mock.reset();
    mock.script(
      "openai",
      { type: "tool_calls", calls: [{ name: "knowledge_search", arguments: { query: "office opening hours", limit: 10 } }] },
      { type: "text", text: `One office opens early [${fresh.ref}], another later [${known.ref}]; nothing is at [42].` },
    );
    const reply = await api().agents.chat({ projectId, agentId: agent.id, content: "When does an office open?" });
    const answer = reply.messages.at(-1);
    expect(answer?.citations?.map((citation) => [citation.ref, citation.chunkId])).toEqual(
      [
        [known.ref, known.chunkId],
        [fresh.ref, fresh.chunkId],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    const stored = await api().agents.sessions.get({ projectId, sessionId: reply.sessionId });
    expect(stored.messages.at(-1)?.citations?.map((citation) => citation.chunkId)).toEqual(
      answer?.citations?.map((citation) => citation.chunkId),
    );
  });
});

/** A one-page PDF whose only text is `text` (Helvetica), with a correct cross-reference table. */
export function minimalPdf(text: string): string {
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, (c) => `\\${c}`)}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return body;
}
