/**
 * The chunk writes and the vector reads of knowledge search: insertKnowledgeChunks (one JSON
 * parameter per statement) stores every field as given, defaults what is left out, keeps the order in
 * `seq`, splits a large batch into several statements, and stores a lone surrogate as U+FFFD; the
 * embeddings come back byte for byte from loadChunkVectors (base64 on the wire), in pages after a seq;
 * fullTextKnowledgeSearch (ranked in a materialised CTE) returns what the plain join returns, filters,
 * generations and a document that is not ready included.
 */
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowledgeChunks, knowledgeDocuments } from "../schema";
import {
  countKnowledgeChunks,
  fullTextKnowledgeSearch,
  insertKnowledgeBase,
  insertKnowledgeChunks,
  insertKnowledgeDocument,
  listDocumentChunks,
  loadChunkVectors,
  type NewKnowledgeChunk,
} from "./knowledge";
import { insertProject } from "./projects";
import { insertUser } from "./users";

let database: TestDatabase;
let projectId: string;
let knowledgeBaseId: string;

async function newDocument(name: string, options: { status?: string; format?: string; baseId?: string } = {}) {
  return insertKnowledgeDocument(database.db, {
    projectId,
    knowledgeBaseId: options.baseId ?? knowledgeBaseId,
    name,
    sourceKind: "upload",
    format: options.format ?? "text",
    status: options.status ?? "ready",
    contentHash: "x",
    sizeBytes: 0,
    extractedText: "",
  });
}

function embeddingOf(seed: number, dimensions: number): Buffer {
  const vector = Float32Array.from({ length: dimensions }, (_, index) => Math.sin(seed * 31 + index) / (index + 1));
  return Buffer.from(vector.buffer);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const user = await insertUser(database.db, { email: "chunks@example.com", name: "Chunks", passwordHash: "x" });
  if (!user) throw new Error("no user");
  projectId = (await insertProject(database.db, { name: "P", createdByUserId: user.id })).id;
  knowledgeBaseId = (
    await insertKnowledgeBase(database.db, {
      projectId,
      name: "Base",
      embeddingProvider: "local",
      embeddingModel: "m",
      dimensions: 1536,
      chunkSize: 1000,
      chunkOverlap: 100,
    })
  ).id;
});
afterAll(async () => {
  await database.drop();
});

describe("knowledge chunk queries", () => {
  it("stores every field as given and defaults the id and the heading path", async () => {
    const document = await newDocument("fields.txt");
    const given = crypto.randomUUID();
    const rows: NewKnowledgeChunk[] = [
      {
        id: given,
        projectId,
        knowledgeBaseId,
        documentId: document.id,
        generation: 1,
        position: 0,
        headingPath: ['Über "quotes"', "back\\slash", "emoji 🙂"],
        startOffset: 3,
        endOffset: 40,
        content: 'Line one\nline "two"\ttabbed \\ and a lone surrogate \ud800 here, and a pair 🙂',
        embedding: embeddingOf(1, 1536),
      },
      {
        projectId,
        knowledgeBaseId,
        documentId: document.id,
        generation: 1,
        position: 1,
        startOffset: 41,
        endOffset: 50,
        content: "second",
        embedding: embeddingOf(2, 1536),
      },
    ];
    await insertKnowledgeChunks(database.db, rows);
    const stored = await listDocumentChunks(database.db, { documentId: document.id, generation: 1 });
    expect(stored).toEqual([
      {
        id: given,
        position: 0,
        headingPath: ['Über "quotes"', "back\\slash", "emoji 🙂"],
        startOffset: 3,
        endOffset: 40,
        content: 'Line one\nline "two"\ttabbed \\ and a lone surrogate \ufffd here, and a pair 🙂',
      },
      { id: expect.any(String), position: 1, headingPath: [], startOffset: 41, endOffset: 50, content: "second" },
    ]);
    const vectors = await loadChunkVectors(database.db, { knowledgeBaseId, generation: 1, afterSeq: 0, limit: 10 });
    expect(vectors.map((row) => row.id)).toEqual(stored.map((row) => row.id));
    expect(vectors[0]?.embedding.equals(embeddingOf(1, 1536))).toBe(true);
    expect(vectors[1]?.embedding.equals(embeddingOf(2, 1536))).toBe(true);
  });

  it("splits a batch larger than a statement's budget, keeping the given order in seq", async () => {
    const document = await newDocument("large.txt");
    // 1,536 dimensions are 8 kB of base64 a row: 1,200 rows need two statements of at most 8 MB.
    const rows: NewKnowledgeChunk[] = Array.from({ length: 1200 }, (_, index) => ({
      projectId,
      knowledgeBaseId,
      documentId: document.id,
      generation: 2,
      position: 1199 - index,
      startOffset: index,
      endOffset: index + 1,
      content: `chunk ${index}`,
      embedding: embeddingOf(index, 1536),
    }));
    let statements = 0;
    const counting = new Proxy(database.db, {
      get(target, property, receiver) {
        if (property === "execute") statements += 1;
        return Reflect.get(target, property, receiver);
      },
    });
    await insertKnowledgeChunks(counting, rows);
    expect(statements).toBe(2);
    expect(await countKnowledgeChunks(database.db, { knowledgeBaseId, generation: 2 })).toBe(1200);
    // Pages after a seq, in the order the rows were given.
    const first = await loadChunkVectors(database.db, { knowledgeBaseId, generation: 2, afterSeq: 0, limit: 700 });
    const rest = await loadChunkVectors(database.db, { knowledgeBaseId, generation: 2, afterSeq: first.at(-1)?.seq ?? 0, limit: 700 });
    expect(first).toHaveLength(700);
    expect(rest).toHaveLength(500);
    const all = [...first, ...rest];
    const positions = await listDocumentChunks(database.db, { documentId: document.id, generation: 2 });
    const positionOf = new Map(positions.map((row) => [row.id, row.position]));
    expect(all.map((row) => positionOf.get(row.id))).toEqual(rows.map((row) => row.position));
    for (const [index, row] of all.entries()) expect(row.embedding.equals(embeddingOf(index, 1536)), `row ${index}`).toBe(true);
  });

  it("inserts nothing for no rows", async () => {
    const before = await countKnowledgeChunks(database.db, { knowledgeBaseId });
    await insertKnowledgeChunks(database.db, []);
    expect(await countKnowledgeChunks(database.db, { knowledgeBaseId })).toBe(before);
  });

  it("ranks full text as the plain join of chunks and ready documents does, with filters and generations", async () => {
    const base = await insertKnowledgeBase(database.db, {
      projectId,
      name: "Full text",
      embeddingProvider: "local",
      embeddingModel: "m",
      dimensions: 4,
      chunkSize: 1000,
      chunkOverlap: 100,
    });
    const words = ["river", "mountain", "harbour", "lantern", "orchard", "meadow", "glacier", "canyon"];
    const documents = [
      await newDocument("a.md", { baseId: base.id, format: "markdown" }),
      await newDocument("b.txt", { baseId: base.id }),
      await newDocument("pending.txt", { baseId: base.id, status: "processing" }),
    ];
    let seed = 3;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const rows: NewKnowledgeChunk[] = [];
    for (const [index, document] of documents.entries()) {
      for (let position = 0; position < 60; position += 1) {
        rows.push({
          projectId,
          knowledgeBaseId: base.id,
          documentId: document.id,
          generation: position % 5 === 0 ? 2 : 1,
          position,
          headingPath: [`Part ${position % 3}`, `Doc ${index}`],
          startOffset: 0,
          endOffset: 0,
          content: Array.from({ length: 5 + Math.floor(next() * 20) }, () => words[Math.floor(next() ** 2 * words.length)]).join(" "),
          embedding: Buffer.alloc(16),
        });
      }
    }
    await insertKnowledgeChunks(database.db, rows);
    const reference = async (query: string, limit: number, filters: Parameters<typeof fullTextKnowledgeSearch>[1]["filters"]) => {
      const tsquery = /"|(^|\s)-\S|\sor\s/i.test(query)
        ? sql`websearch_to_tsquery('english'::regconfig, ${query})`
        : sql`replace(websearch_to_tsquery('english'::regconfig, ${query})::text, ' & ', ' | ')::tsquery`;
      const conditions = [
        eq(knowledgeChunks.knowledgeBaseId, base.id),
        eq(knowledgeChunks.generation, 1),
        sql`${knowledgeChunks.searchVector} @@ ${tsquery}`,
        eq(knowledgeDocuments.status, "ready"),
      ];
      if (filters?.documentIds) conditions.push(inArray(knowledgeChunks.documentId, [...filters.documentIds]));
      if (filters?.heading) conditions.push(sql`${knowledgeChunks.headingPath}::text ilike ${`%${filters.heading}%`}`);
      if (filters?.formats) conditions.push(inArray(knowledgeDocuments.format, [...filters.formats]));
      const ranked = await database.db
        .select({ id: knowledgeChunks.id, rank: sql<number>`ts_rank(${knowledgeChunks.searchVector}, ${tsquery}, 1)`.as("rank") })
        .from(knowledgeChunks)
        .innerJoin(knowledgeDocuments, eq(knowledgeDocuments.id, knowledgeChunks.documentId))
        .where(and(...conditions))
        .orderBy(sql`rank desc`, knowledgeChunks.id)
        .limit(limit);
      return ranked.map((row) => ({ id: row.id, rank: Number(row.rank) }));
    };
    const cases: Array<[string, number, Parameters<typeof fullTextKnowledgeSearch>[1]["filters"]]> = [
      ["river lantern", 10, undefined],
      ["meadow", 40, undefined],
      ['"river mountain"', 10, undefined],
      ["glacier or canyon -river", 15, undefined],
      ["harbour orchard", 10, { documentIds: [documents[1]?.id ?? ""] }],
      ["harbour orchard", 10, { heading: "part 2" }],
      ["river", 10, { formats: ["markdown"] }],
      ["nothing matches this", 10, undefined],
    ];
    for (const [query, limit, filters] of cases) {
      const found = await fullTextKnowledgeSearch(database.db, {
        bases: [{ id: base.id, generation: 1 }],
        query,
        limit,
        ...(filters ? { filters } : {}),
      });
      const expected = await reference(query, limit, filters);
      expect(
        found.map((hit) => ({ id: hit.id, rank: hit.rank })),
        query,
      ).toEqual(expected);
      expect(found.every((hit) => hit.documentId !== documents[2]?.id)).toBe(true);
      if (query === "meadow") expect(found.length).toBeGreaterThan(10);
    }
    const [hit] = await fullTextKnowledgeSearch(database.db, {
      bases: [{ id: base.id, generation: 1 }],
      query: "river",
      limit: 1,
      filters: { formats: ["markdown"] },
    });
    expect(hit).toMatchObject({
      knowledgeBaseId: base.id,
      documentId: documents[0]?.id,
      documentName: "a.md",
      sourceKind: "upload",
      sourceUrl: null,
      format: "markdown",
    });
    expect(hit?.headingPath).toEqual([expect.stringMatching(/^Part \d$/), "Doc 0"]);
    expect(typeof hit?.position).toBe("number");
    expect(hit?.content).toContain("river");
  });
});
