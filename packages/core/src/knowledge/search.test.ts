/**
 * Retrieval quality and search behaviour on a real database, with the offline embedder: on the
 * labelled corpus (./fixtures/labelled-corpus.ts) hybrid search puts the section that answers a
 * question in the top 5 for at least 90 % of the questions; the measured ratios of hybrid, vector-only
 * and full-text-only are printed. Also: metadata filters, and reciprocal rank fusion itself.
 */

import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "../auth/accounts";
import { createLogger, type Logger } from "../logger";
import { labelledDocuments, labelledQueries } from "./fixtures/labelled-corpus";
import { ingestKnowledgeDocument } from "./ingestion";
import { addKnowledgeDocument, createKnowledgeBase, type KnowledgeQueue } from "./knowledge";
import { reciprocalRankFusion, searchKnowledgeBases } from "./search";

let database: TestDatabase;
let projectId: string;
let baseId: string;
const documentIds = new Map<string, string>();
const logger = createLogger({ level: "silent" }) as Logger;

beforeAll(async () => {
  database = await createTestDatabase();
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    {
      email: "corpus@example.com",
      name: "Corpus",
      password: "correct horse battery staple",
    },
  );
  projectId = account.projectId;
  const actor = { userId: account.id };
  const jobs: Array<{ documentId: string; generation: number }> = [];
  const queue: KnowledgeQueue = { enqueueIngestion: async (_tx, job) => void jobs.push(job) };
  const base = await createKnowledgeBase(database.db, actor, { projectId, name: "Company", chunkSize: 600, chunkOverlap: 60 });
  baseId = base.id;
  for (const document of labelledDocuments) {
    const added = await addKnowledgeDocument(database.db, { queue }, actor, {
      projectId,
      knowledgeBaseId: baseId,
      name: document.name,
      contentBase64: Buffer.from(document.markdown).toString("base64"),
    });
    documentIds.set(document.name, added.id);
  }
  for (const job of jobs) {
    expect(await ingestKnowledgeDocument({ db: database.db, queue, logger }, { ...job, attempt: 1, maxAttempts: 5 })).toBe("indexed");
  }
});
afterAll(async () => {
  await database.drop();
});

async function topFiveRatio(mode: "hybrid" | "vector" | "fulltext") {
  let found = 0;
  let first = 0;
  const misses: string[] = [];
  for (const labelled of labelledQueries) {
    const { hits } = await searchKnowledgeBases(
      database.db,
      {},
      { projectId, knowledgeBaseIds: [baseId], query: labelled.query, limit: 5, mode },
    );
    const isFound = hits.some((hit) => hit.documentName === labelled.document && hit.headingPath.at(-1) === labelled.heading);
    if (hits[0]?.documentName === labelled.document && hits[0]?.headingPath.at(-1) === labelled.heading) first += 1;
    if (isFound) found += 1;
    else misses.push(labelled.query);
  }
  return { ratio: found / labelledQueries.length, topOne: first / labelledQueries.length, misses };
}

describe("retrieval on the labelled corpus (offline embedder)", () => {
  it("has at least 30 labelled questions, each pointing at a real section", () => {
    expect(labelledQueries.length).toBeGreaterThanOrEqual(30);
    for (const labelled of labelledQueries) {
      const document = labelledDocuments.find((candidate) => candidate.name === labelled.document);
      expect(document?.markdown, labelled.query).toContain(`## ${labelled.heading}\n`);
    }
  });

  it("hybrid search puts the answering section in the top 5 for at least 90 % of the questions", async () => {
    const hybrid = await topFiveRatio("hybrid");
    const vector = await topFiveRatio("vector");
    const fullText = await topFiveRatio("fulltext");
    console.info(
      `labelled corpus top-5 (top-1): hybrid ${(hybrid.ratio * 100).toFixed(1)} % (${(hybrid.topOne * 100).toFixed(1)} %), vector ${(vector.ratio * 100).toFixed(1)} % (${(vector.topOne * 100).toFixed(1)} %), full text ${(fullText.ratio * 100).toFixed(1)} % (${(fullText.topOne * 100).toFixed(1)} %) of ${labelledQueries.length} questions; hybrid misses: ${JSON.stringify(hybrid.misses)}`,
    );
    expect(hybrid.ratio).toBeGreaterThanOrEqual(0.9);
  });

  it("applies metadata filters: documents, heading, format", async () => {
    const financeId = documentIds.get("finance.md") ?? "";
    const onlyFinance = await searchKnowledgeBases(
      database.db,
      {},
      {
        projectId,
        knowledgeBaseIds: [baseId],
        query: "limit per month and per night",
        filters: { documentIds: [financeId] },
      },
    );
    expect(onlyFinance.hits.length).toBeGreaterThan(0);
    expect(new Set(onlyFinance.hits.map((hit) => hit.documentId))).toEqual(new Set([financeId]));
    const byHeading = await searchKnowledgeBases(
      database.db,
      {},
      {
        projectId,
        knowledgeBaseIds: [baseId],
        query: "limit",
        filters: { heading: "hotels" },
      },
    );
    expect(byHeading.hits.map((hit) => hit.headingPath.at(-1))).toEqual(["Hotels"]);
    const noPdf = await searchKnowledgeBases(
      database.db,
      {},
      { projectId, knowledgeBaseIds: [baseId], query: "limit", filters: { formats: ["pdf"] } },
    );
    expect(noPdf.hits).toEqual([]);
  });
});

describe("vector-only and full-text-only searches", () => {
  it("return the first hits of a longer search, over one base and over two (they ask each list for no more than the limit)", async () => {
    const account = await signUp(
      database.db,
      { passwordHashCost: 4, signUpPolicy: "open" },
      { email: "prefix@example.com", name: "Prefix", password: "correct horse battery staple" },
    );
    const actor = { userId: account.id };
    const jobs: Array<{ documentId: string; generation: number }> = [];
    const queue: KnowledgeQueue = { enqueueIngestion: async (_tx, job) => void jobs.push(job) };
    const bases = await Promise.all(
      ["First", "Second"].map((name) =>
        createKnowledgeBase(database.db, actor, { projectId: account.projectId, name, chunkSize: 400, chunkOverlap: 40 }),
      ),
    );
    for (const [index, document] of labelledDocuments.entries()) {
      await addKnowledgeDocument(database.db, { queue }, actor, {
        projectId: account.projectId,
        knowledgeBaseId: (bases[index % 2] as { id: string }).id,
        name: document.name,
        contentBase64: Buffer.from(document.markdown).toString("base64"),
      });
    }
    for (const job of jobs) {
      expect(await ingestKnowledgeDocument({ db: database.db, queue, logger }, { ...job, attempt: 1, maxAttempts: 5 })).toBe("indexed");
    }
    for (const knowledgeBaseIds of [[bases[0]?.id ?? ""], bases.map((base) => base.id)]) {
      for (const mode of ["vector", "fulltext"] as const) {
        for (const labelled of labelledQueries.slice(0, 12)) {
          const search = (limit: number) =>
            searchKnowledgeBases(database.db, {}, { projectId: account.projectId, knowledgeBaseIds, query: labelled.query, limit, mode });
          const [short, long] = await Promise.all([search(3), search(30)]);
          expect(short.hits.length, `${mode}: ${labelled.query}`).toBeGreaterThan(0);
          expect(short.hits, `${mode}: ${labelled.query}`).toEqual(long.hits.slice(0, 3));
        }
      }
    }
  });
});

describe("reciprocalRankFusion", () => {
  it("adds 1/(k + rank) over the lists, so agreement beats one high rank", () => {
    const fused = reciprocalRankFusion([["a", "b", "c"], ["b", "c", "a"], ["b"]], 60);
    expect(fused.get("b")).toBeCloseTo(1 / 62 + 1 / 61 + 1 / 61);
    expect(fused.get("a")).toBeCloseTo(1 / 61 + 1 / 63);
    expect([...fused.entries()].sort((x, y) => y[1] - x[1]).map(([id]) => id)).toEqual(["b", "a", "c"]);
  });
});
