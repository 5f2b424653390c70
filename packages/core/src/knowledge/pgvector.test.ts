/**
 * The pgvector path against a real PostgreSQL with the `vector` extension: PGlite (PostgreSQL in
 * WASM, which bundles pgvector) served over the wire protocol by pglite-socket, so postgres.js and the
 * app's own migrations and queries run against it unchanged. The labelled corpus is ingested once
 * (chunks mirrored into the side table in the ingestion transaction), then every question is searched
 * through the HNSW index and through the exact in-process index: the same top results either way.
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { createDatabaseClient, type DatabaseClient } from "@gathering/db";
import { migrate } from "@gathering/db/migrate";
import { findFreePort } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "../auth/accounts";
import { createLogger, type Logger } from "../logger";
import { labelledDocuments, labelledQueries } from "./fixtures/labelled-corpus";
import { ingestKnowledgeDocument } from "./ingestion";
import { addKnowledgeDocument, createKnowledgeBase, type KnowledgeQueue } from "./knowledge";
import { searchKnowledgeBases } from "./search";
import { forceVectorPath, vectorPathInfo } from "./vector-path";

let pglite: PGlite;
let server: PGLiteSocketServer;
let client: DatabaseClient;
let projectId: string;
let baseId: string;
const logger = createLogger({ level: "silent" }) as Logger;

beforeAll(async () => {
  pglite = await PGlite.create({ extensions: { vector } });
  const port = await findFreePort();
  server = new PGLiteSocketServer({ db: pglite, port, host: "127.0.0.1" });
  await server.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  await migrate(url);
  // PGlite answers one connection's queries at a time: one pooled connection.
  client = createDatabaseClient(url, { max: 1 });
  const account = await signUp(
    client.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    {
      email: "pgvector@example.com",
      name: "Vector",
      password: "correct horse battery staple",
    },
  );
  projectId = account.projectId;
  const actor = { userId: account.id };
  const jobs: Array<{ documentId: string; generation: number }> = [];
  const queue: KnowledgeQueue = { enqueueIngestion: async (_tx, job) => void jobs.push(job) };
  const base = await createKnowledgeBase(client.db, actor, { projectId, name: "Company", chunkSize: 600, chunkOverlap: 60 });
  baseId = base.id;
  for (const document of labelledDocuments) {
    await addKnowledgeDocument(client.db, { queue }, actor, {
      projectId,
      knowledgeBaseId: baseId,
      name: document.name,
      contentBase64: Buffer.from(document.markdown).toString("base64"),
    });
  }
  for (const job of jobs) await ingestKnowledgeDocument({ db: client.db, queue, logger }, { ...job, attempt: 1, maxAttempts: 5 });
}, 120_000);
afterAll(async () => {
  await client?.close();
  await server?.stop();
  await pglite?.close();
});

describe("pgvector path (PGlite)", () => {
  it("is detected, creates the extension and mirrors every chunk into the HNSW side table", async () => {
    const info = await vectorPathInfo(client.db);
    expect(info.path).toBe("pgvector");
    expect(info.extensionVersion).toMatch(/^\d+\.\d+/);
    const [counts] = await client.db.execute<{ chunks: number; vectors: number }>(
      sql`select (select count(*)::int from knowledge_chunks) as chunks, (select count(*)::int from knowledge_chunk_vectors) as vectors`,
    );
    expect(counts?.chunks).toBeGreaterThan(30);
    expect(counts?.vectors).toBe(counts?.chunks);
  });

  it("returns the same top results as the exact path for every labelled question", async () => {
    const run = async (mode: "vector" | "hybrid") => {
      const out: string[][] = [];
      for (const labelled of labelledQueries) {
        const result = await searchKnowledgeBases(
          client.db,
          {},
          { projectId, knowledgeBaseIds: [baseId], query: labelled.query, limit: 5, mode },
        );
        out.push(result.hits.map((hit) => hit.chunkId));
      }
      return out;
    };
    const viaPgvector = { vector: await run("vector"), hybrid: await run("hybrid") };
    const [indexes] = await client.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_indexes where tablename = 'knowledge_chunk_vectors' and indexdef ilike '%hnsw%'`,
    );
    expect(indexes?.n).toBe(1);
    forceVectorPath(client.db, "exact");
    try {
      expect((await searchKnowledgeBases(client.db, {}, { projectId, knowledgeBaseIds: [baseId], query: "vacation" })).vectorPath).toBe(
        "exact",
      );
      const viaExact = { vector: await run("vector"), hybrid: await run("hybrid") };
      expect(viaPgvector.vector).toEqual(viaExact.vector);
      expect(viaPgvector.hybrid).toEqual(viaExact.hybrid);
    } finally {
      forceVectorPath(client.db, null);
    }
  });
});
