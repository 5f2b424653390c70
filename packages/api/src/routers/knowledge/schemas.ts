/** The output shapes of knowledge.*: what the dashboard and the SDK can rely on. */
import { z } from "zod";

export const ZEmbeddingOutput = z.object({ provider: z.string(), model: z.string(), dimensions: z.number().int() });

export const ZKnowledgeBaseOutput = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  embedding: ZEmbeddingOutput,
  chunkSize: z.number().int(),
  chunkOverlap: z.number().int(),
  indexGeneration: z.number().int(),
  /** A re-index in progress: searches use the current generation until it completes. */
  pendingIndex: z
    .object({ generation: z.number().int(), provider: z.string(), model: z.string(), dimensions: z.number().int() })
    .nullable(),
  documentCount: z.number().int(),
  readyDocumentCount: z.number().int(),
  failedDocumentCount: z.number().int(),
  chunkCount: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const ZDocumentStatus = z.enum(["queued", "processing", "ready", "failed"]);

export const ZKnowledgeDocumentOutput = z.object({
  id: z.uuid(),
  knowledgeBaseId: z.uuid(),
  name: z.string(),
  sourceKind: z.enum(["upload", "url"]),
  sourceUrl: z.string().nullable(),
  format: z.enum(["text", "markdown", "html", "pdf", "json", "csv"]),
  status: ZDocumentStatus,
  /** Why it failed (status "failed"); `knowledge.retryDocument` queues it again. */
  error: z.string().nullable(),
  /** 0..1 while processing; live through `knowledge_documents.changed` events. */
  progress: z.number(),
  contentHash: z.string(),
  sizeBytes: z.number().int(),
  chunkCount: z.number().int(),
  attempts: z.number().int(),
  indexedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const ZChunkOutput = z.object({
  id: z.uuid(),
  position: z.number().int(),
  headingPath: z.array(z.string()),
  startOffset: z.number().int(),
  endOffset: z.number().int(),
  content: z.string(),
});

export const ZCitationOutput = z.object({
  chunkId: z.uuid(),
  knowledgeBaseId: z.uuid(),
  documentId: z.uuid(),
  documentName: z.string(),
  sourceUrl: z.string().nullable(),
  position: z.number().int(),
  headingPath: z.array(z.string()),
});

export const ZSearchHitOutput = z.object({
  chunkId: z.uuid(),
  knowledgeBaseId: z.uuid(),
  documentId: z.uuid(),
  documentName: z.string(),
  position: z.number().int(),
  headingPath: z.array(z.string()),
  content: z.string(),
  /** The fused (reciprocal rank fusion) score hits are ordered by. */
  score: z.number(),
  scores: z.object({
    fused: z.number(),
    /** 1-based rank among full-text matches and the ts_rank score; null when full text did not match. */
    fullText: z.object({ rank: z.number().int(), score: z.number() }).nullable(),
    /** 1-based rank among the nearest vectors and the cosine similarity; null when not among them. */
    vector: z.object({ rank: z.number().int(), similarity: z.number() }).nullable(),
    /** The rerank model's 0..10 relevance (search with `rerank`); null otherwise. */
    rerank: z.number().nullable(),
  }),
  citation: ZCitationOutput,
});

export const ZSearchOutput = z.object({
  hits: z.array(ZSearchHitOutput),
  /** Which vector path answered: pgvector (HNSW) or the exact in-process index. */
  vectorPath: z.enum(["pgvector", "exact"]),
  tookMs: z.number(),
});
