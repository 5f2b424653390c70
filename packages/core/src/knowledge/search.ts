/**
 * Hybrid search over one or more knowledge bases of a project: PostgreSQL full text (websearch syntax,
 * ts_rank over the GIN-indexed tsvector) and vector similarity (pgvector HNSW where the extension is
 * installed, the in-process exact index otherwise), fused with reciprocal rank fusion. RRF needs no
 * score calibration between the two (ts_rank and cosine live on unrelated scales, and several bases
 * may use different embedding models), only ranks: fused = sum over lists of 1 / (k + rank), k = 60 as
 * in Cormack et al. Each hit keeps its score parts and a citation.
 */
import {
  type DbExecutor,
  findKnowledgeBases,
  findLiveKnowledgeChunks,
  fullTextKnowledgeSearch,
  type KnowledgeBaseRow,
  type KnowledgeChunkHit,
  type KnowledgeSearchFilters,
} from "@gathering/db";
import { z } from "zod";
import { AppError } from "../errors";
import type { ModelGateway } from "../llm/gateway";
import type { Keyring } from "../security/encryption";
import { type Embedder, type EmbeddingChoice, loadEmbedder } from "./embedders";
import { rerankPassages, ZRerankModel } from "./rerank";
import { exactVectorIndex, type IndexedBase } from "./vector-index";
import { activeVectorPath, pgvectorSearch } from "./vector-path";

export const rrfK = 60;

export const ZKnowledgeSearchFilters = z
  .object({
    documentIds: z.array(z.uuid()).max(100).optional(),
    heading: z.string().trim().min(1).max(200).optional(),
    sourceKinds: z
      .array(z.enum(["upload", "url"]))
      .max(2)
      .optional(),
    formats: z
      .array(z.enum(["text", "markdown", "html", "pdf", "json", "csv"]))
      .max(6)
      .optional(),
  })
  .strict();

export const ZKnowledgeSearchOptions = z.object({
  query: z.string().trim().min(1, "Type something to search for").max(2000),
  limit: z.number().int().min(1).max(50).default(8),
  mode: z.enum(["hybrid", "vector", "fulltext"]).default("hybrid"),
  filters: ZKnowledgeSearchFilters.optional(),
  /** Reorders the best fused hits with a chat model's relevance scores (one model call per search). */
  rerank: z.object({ model: ZRerankModel }).optional(),
});
export type TKnowledgeSearchOptions = z.input<typeof ZKnowledgeSearchOptions>;

export interface KnowledgeCitation {
  chunkId: string;
  knowledgeBaseId: string;
  documentId: string;
  documentName: string;
  sourceUrl: string | null;
  position: number;
  headingPath: string[];
}

export interface KnowledgeHit {
  chunkId: string;
  knowledgeBaseId: string;
  documentId: string;
  documentName: string;
  position: number;
  headingPath: string[];
  content: string;
  /** The fused score the hits are ordered by. */
  score: number;
  scores: {
    fused: number;
    fullText: { rank: number; score: number } | null;
    vector: { rank: number; similarity: number } | null;
    /** The rerank model's 0..10 relevance, when a rerank was asked for. */
    rerank: number | null;
  };
  citation: KnowledgeCitation;
}

export interface KnowledgeSearchResult {
  hits: KnowledgeHit[];
  vectorPath: "pgvector" | "exact";
  tookMs: number;
}

export interface SearchServices {
  /** Embedders by base; defaults to the base's model with the project's provider settings. */
  embedderFor?: (base: KnowledgeBaseRow) => Promise<Embedder>;
  keyring?: Keyring;
  /** Needed for a rerank only. */
  gateway?: ModelGateway;
}

function choiceOf(base: KnowledgeBaseRow): EmbeddingChoice {
  return { provider: base.embeddingProvider as EmbeddingChoice["provider"], model: base.embeddingModel, dimensions: base.dimensions };
}

function matchesFilters(hit: KnowledgeChunkHit, filters: KnowledgeSearchFilters | undefined): boolean {
  if (!filters) return true;
  if (filters.documentIds?.length && !filters.documentIds.includes(hit.documentId)) return false;
  if (filters.heading && !hit.headingPath.join(" / ").toLowerCase().includes(filters.heading.toLowerCase())) return false;
  if (filters.sourceKinds?.length && !filters.sourceKinds.includes(hit.sourceKind)) return false;
  if (filters.formats?.length && !filters.formats.includes(hit.format)) return false;
  return true;
}

/** Loads the bases of the project; a base of another project (or none) is NOT_FOUND, as if it did not exist. */
export async function loadSearchBases(db: DbExecutor, projectId: string, knowledgeBaseIds: readonly string[]) {
  const unique = [...new Set(knowledgeBaseIds)];
  const bases = await findKnowledgeBases(db, { projectId, knowledgeBaseIds: unique });
  if (bases.length !== unique.length) throw new AppError("NOT_FOUND", "Knowledge base not found");
  return bases;
}

/** Vector candidates of one base, checked against the live chunks (and the filters), nearest first. */
async function vectorCandidates(
  db: DbExecutor,
  base: KnowledgeBaseRow,
  query: Float32Array,
  wanted: number,
  filters: KnowledgeSearchFilters | undefined,
  path: "pgvector" | "exact",
): Promise<Array<KnowledgeChunkHit & { similarity: number }>> {
  const indexed: IndexedBase = {
    id: base.id,
    generation: base.indexGeneration,
    dimensions: base.dimensions,
    contentVersion: base.contentVersion,
  };
  const bases = [{ id: base.id, generation: base.indexGeneration }];
  // Filters are applied after the nearest neighbours are found, so with filters more are asked for,
  // widening until enough pass or the base is exhausted.
  let ask = filters ? wanted * 8 : wanted + 8;
  for (;;) {
    const nearest =
      path === "pgvector" ? await pgvectorSearch(db, indexed, query, ask) : await exactVectorIndex.search(db, indexed, query, ask);
    const live = await findLiveKnowledgeChunks(db, { bases, ids: nearest.map((hit) => hit.id) });
    const byId = new Map(live.map((row) => [row.id, row]));
    const missing = new Set(nearest.filter((hit) => !byId.has(hit.id)).map((hit) => hit.id));
    if (path === "exact") exactVectorIndex.markDead(base.id, missing);
    const out: Array<KnowledgeChunkHit & { similarity: number }> = [];
    for (const hit of nearest) {
      const row = byId.get(hit.id);
      if (row && matchesFilters(row, filters)) out.push({ ...row, similarity: hit.similarity });
    }
    if (out.length >= wanted || nearest.length < ask || ask >= 5000) return out.slice(0, wanted);
    ask *= 4;
  }
}

/** Reciprocal rank fusion of ranked lists of chunk ids. */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, k = rrfK): Map<string, number> {
  const fused = new Map<string, number>();
  for (const list of lists) {
    list.forEach((id, index) => {
      fused.set(id, (fused.get(id) ?? 0) + 1 / (k + index + 1));
    });
  }
  return fused;
}

export async function searchKnowledgeBases(
  db: DbExecutor,
  services: SearchServices,
  input: { projectId: string; knowledgeBaseIds: readonly string[] } & TKnowledgeSearchOptions,
): Promise<KnowledgeSearchResult> {
  const started = performance.now();
  const options = ZKnowledgeSearchOptions.parse(input);
  const bases = await loadSearchBases(db, input.projectId, input.knowledgeBaseIds);
  const path = await activeVectorPath(db);
  // Fusion and a rerank look below each list's top `limit`; one list alone (vector or full text over
  // bases whose chunks are all different) ranks its own top `limit` first, so that is all it needs.
  const candidates = options.mode === "hybrid" || options.rerank ? Math.max(options.limit * 4, 40) : options.limit;
  const filters = options.filters;

  const fullTextPromise =
    options.mode === "vector"
      ? Promise.resolve([])
      : fullTextKnowledgeSearch(db, {
          bases: bases.map((base) => ({ id: base.id, generation: base.indexGeneration })),
          query: options.query,
          limit: candidates,
          ...(filters ? { filters } : {}),
        });
  const vectorPromise =
    options.mode === "fulltext"
      ? Promise.resolve([])
      : Promise.all(
          bases.map(async (base) => {
            const embedder = services.embedderFor
              ? await services.embedderFor(base)
              : await loadEmbedder(db, services.keyring, base.projectId, choiceOf(base));
            const [vector] = await embedder.embed([options.query]);
            if (!vector) return [];
            // The exact scan holds the event loop for a few milliseconds; the driver sends queued
            // statements from a setImmediate, so let the full-text query leave first and run in
            // PostgreSQL meanwhile instead of after the scan.
            if (path === "exact" && options.mode === "hybrid") await new Promise((resolve) => setImmediate(resolve));
            return vectorCandidates(db, base, vector, candidates, filters, path);
          }),
        );
  const [fullText, vectorLists] = await Promise.all([fullTextPromise, vectorPromise]);

  const rows = new Map<string, KnowledgeChunkHit>();
  const fullTextParts = new Map<string, { rank: number; score: number }>();
  fullText.forEach((row, index) => {
    rows.set(row.id, row);
    fullTextParts.set(row.id, { rank: index + 1, score: row.rank });
  });
  const vectorParts = new Map<string, { rank: number; similarity: number }>();
  for (const list of vectorLists) {
    list.forEach((row, index) => {
      rows.set(row.id, row);
      vectorParts.set(row.id, { rank: index + 1, similarity: row.similarity });
    });
  }
  const fused = reciprocalRankFusion([fullText.map((row) => row.id), ...vectorLists.map((list) => list.map((row) => row.id))]);
  const ranked = [...fused.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  // A rerank looks at a few more than asked for, so it can promote what fusion ranked just below the cut.
  const considered = ranked.slice(0, options.rerank ? Math.min(ranked.length, Math.max(options.limit * 2, 10), 30) : options.limit);
  const rerankScores = new Map<string, number>();
  if (options.rerank && considered.length > 0) {
    const scores = await rerankPassages(db, services, {
      projectId: input.projectId,
      model: options.rerank.model,
      query: options.query,
      passages: considered.map(([id]) => (rows.get(id) as KnowledgeChunkHit).content),
    });
    for (const [index, [id]] of considered.entries()) rerankScores.set(id, scores[index] ?? 0);
    considered.sort((a, b) => (rerankScores.get(b[0]) ?? 0) - (rerankScores.get(a[0]) ?? 0) || b[1] - a[1]);
  }
  const hits = considered.slice(0, options.limit).map(([id, score]): KnowledgeHit => {
    const row = rows.get(id) as KnowledgeChunkHit;
    return {
      chunkId: id,
      knowledgeBaseId: row.knowledgeBaseId,
      documentId: row.documentId,
      documentName: row.documentName,
      position: row.position,
      headingPath: row.headingPath,
      content: row.content,
      score,
      scores: {
        fused: score,
        fullText: fullTextParts.get(id) ?? null,
        vector: vectorParts.get(id) ?? null,
        rerank: rerankScores.get(id) ?? null,
      },
      citation: {
        chunkId: id,
        knowledgeBaseId: row.knowledgeBaseId,
        documentId: row.documentId,
        documentName: row.documentName,
        sourceUrl: row.sourceUrl,
        position: row.position,
        headingPath: row.headingPath,
      },
    };
  });
  return { hits, vectorPath: path, tookMs: Math.round((performance.now() - started) * 100) / 100 };
}
