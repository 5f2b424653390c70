/**
 * The ingestion job's work for one (document, generation): chunk the document's extracted text with the
 * base's settings, embed the chunks with the generation's model, then in ONE transaction replace the
 * document's chunks of that generation and, for the active generation, flip the document to ready.
 * Nothing half-indexed is ever visible: until that commit the document has no chunks to find.
 *
 * Idempotent on retry: the transaction deletes whatever chunks of (document, generation) exist before
 * inserting, and a job for a deleted document or an abandoned generation does nothing. A document that
 * cannot be indexed (a typed input error, or the last attempt of a provider outage) is marked failed
 * with the reason, and `knowledge.retryDocument` queues it again.
 */
import {
  bumpKnowledgeContentVersion,
  type Database,
  deleteDocumentChunks,
  findKnowledgeDocumentWithText,
  insertKnowledgeChunks,
  type KnowledgeBaseRow,
  lockKnowledgeBase,
  lockKnowledgeDocument,
  updateKnowledgeDocumentRow,
} from "@gathering/db";
import type { Logger } from "pino";
import { AppError, isAppError } from "../errors";
import { publishEvent } from "../events/catalog";
import type { Keyring } from "../security/encryption";
import { chunkText } from "./chunker";
import { type Embedder, type EmbeddingChoice, loadEmbedder, vectorToBytes } from "./embedders";
import { finishReindexIfComplete, type KnowledgeQueue, type PendingIndex } from "./knowledge";
import { activeVectorPath, mirrorChunkVectors } from "./vector-path";

export interface IngestionServices {
  db: Database;
  queue: KnowledgeQueue;
  keyring?: Keyring;
  logger: Logger;
  /** Overrides the embedder of a model (tests, bench). */
  embedderFor?: (choice: EmbeddingChoice) => Promise<Embedder> | Embedder;
}

export type IngestionOutcome = "indexed" | "skipped" | "failed";

function generationModel(base: KnowledgeBaseRow, generation: number): EmbeddingChoice | null {
  if (generation === base.indexGeneration) {
    return { provider: base.embeddingProvider as EmbeddingChoice["provider"], model: base.embeddingModel, dimensions: base.dimensions };
  }
  const pending = (base.pendingIndex as PendingIndex | null) ?? null;
  if (pending && pending.generation === generation)
    return { provider: pending.provider, model: pending.model, dimensions: pending.dimensions };
  return null;
}

/** Errors a repeat will not fix: bad input, a wrong model, a missing key. */
function isPermanent(error: unknown): boolean {
  return (
    isAppError(error) && ["BAD_REQUEST", "VALIDATION_FAILED", "PRECONDITION_FAILED", "PAYLOAD_TOO_LARGE", "NOT_FOUND"].includes(error.code)
  );
}

export async function ingestKnowledgeDocument(
  services: IngestionServices,
  job: { documentId: string; generation: number; attempt: number; maxAttempts: number; signal?: AbortSignal },
): Promise<IngestionOutcome> {
  const { db } = services;
  const document = await findKnowledgeDocumentWithText(db, { documentId: job.documentId });
  if (!document) return "skipped";
  const [base] = await db.transaction(async (tx) => [await lockKnowledgeBase(tx, { knowledgeBaseId: document.knowledgeBaseId })]);
  if (!base) return "skipped";
  const model = generationModel(base, job.generation);
  if (!model) return "skipped";
  const isActive = job.generation === base.indexGeneration;
  // A re-index job for a document that is no longer ready has nothing to rebuild.
  if (!isActive && document.status !== "ready") return "skipped";
  if (isActive && document.status === "ready") return "skipped";

  const progress = async (value: number) => {
    if (!isActive) return;
    await db.transaction(async (tx) => {
      await updateKnowledgeDocumentRow(tx, {
        documentId: document.id,
        values: { status: "processing", progress: value, attempts: job.attempt },
      });
      await publishEvent(tx, document.projectId, "knowledge_documents.changed", {
        knowledgeBaseId: base.id,
        documentId: document.id,
        status: "processing",
        progress: value,
      });
    });
  };

  try {
    await progress(0.05);
    const chunks = chunkText(document.extractedText, { chunkSize: base.chunkSize, chunkOverlap: base.chunkOverlap });
    if (chunks.length === 0) throw new AppError("BAD_REQUEST", "The document has no text to index", { reason: "empty-document" });
    const embedder = services.embedderFor
      ? await services.embedderFor(model)
      : await loadEmbedder(db, services.keyring, document.projectId, model);
    const vectors: Float32Array[] = [];
    // Progress ticks at most at every quarter, so a large document costs a handful of events, not one per batch.
    const step = Math.max(64, Math.ceil(chunks.length / 4));
    for (let start = 0; start < chunks.length; start += step) {
      const batch = chunks.slice(start, start + step);
      vectors.push(
        ...(await embedder.embed(
          batch.map((chunk) => [...chunk.headingPath, chunk.content].join("\n")),
          job.signal,
        )),
      );
      if (start + step < chunks.length) await progress(0.1 + 0.85 * ((start + step) / chunks.length));
    }
    const path = await activeVectorPath(db);

    const committed = await db.transaction(async (tx) => {
      // The base row first: it serialises this base's chunk writers, so seq order is commit order (see vector-index.ts).
      const lockedBase = await lockKnowledgeBase(tx, { knowledgeBaseId: base.id });
      const locked = await lockKnowledgeDocument(tx, { documentId: document.id });
      if (!lockedBase || !locked) return false;
      const current = generationModel(lockedBase, job.generation);
      if (!current || current.model !== model.model || current.provider !== model.provider) return false;
      await bumpKnowledgeContentVersion(tx, base.id);
      await deleteDocumentChunks(tx, { documentId: document.id, generation: job.generation });
      const rows = chunks.map((chunk, index) => ({
        id: crypto.randomUUID(),
        projectId: document.projectId,
        knowledgeBaseId: base.id,
        documentId: document.id,
        generation: job.generation,
        position: chunk.position,
        headingPath: chunk.headingPath,
        startOffset: chunk.startOffset,
        endOffset: chunk.endOffset,
        content: chunk.content,
        embedding: vectorToBytes(vectors[index] as Float32Array),
      }));
      await insertKnowledgeChunks(tx, rows);
      if (path === "pgvector") {
        await mirrorChunkVectors(
          tx,
          rows.map((row, index) => ({
            chunkId: row.id,
            knowledgeBaseId: base.id,
            generation: job.generation,
            embedding: vectors[index] as Float32Array,
          })),
        );
      }
      if (job.generation === lockedBase.indexGeneration) {
        await updateKnowledgeDocumentRow(tx, {
          documentId: document.id,
          values: { status: "ready", progress: 1, error: null, chunkCount: rows.length, indexedAt: new Date(), attempts: job.attempt },
        });
        await publishEvent(tx, document.projectId, "knowledge_documents.changed", {
          knowledgeBaseId: base.id,
          documentId: document.id,
          status: "ready",
          progress: 1,
        });
        // A re-index in progress must also get this new document, or it would never complete.
        const pending = (lockedBase.pendingIndex as PendingIndex | null) ?? null;
        if (pending) await services.queue.enqueueIngestion(tx, { documentId: document.id, generation: pending.generation });
      } else {
        await finishReindexIfComplete(tx, base.id);
      }
      return true;
    });
    return committed ? "indexed" : "skipped";
  } catch (error) {
    const isLast = job.attempt >= job.maxAttempts;
    if (!isPermanent(error) && !isLast) throw error;
    const message = isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
    services.logger.warn({ err: error, documentId: document.id, generation: job.generation }, "knowledge document failed");
    await db.transaction(async (tx) => {
      const locked = await lockKnowledgeDocument(tx, { documentId: document.id });
      if (!locked) return;
      await updateKnowledgeDocumentRow(tx, {
        documentId: document.id,
        values: { status: "failed", error: message.slice(0, 2000), attempts: job.attempt },
      });
      // Its chunks of every generation go with it: a failed document is not searchable.
      const removed = await deleteDocumentChunks(tx, { documentId: document.id });
      if (removed > 0) await bumpKnowledgeContentVersion(tx, base.id);
      await publishEvent(tx, document.projectId, "knowledge_documents.changed", {
        knowledgeBaseId: base.id,
        documentId: document.id,
        status: "failed",
        progress: locked.progress,
      });
      await finishReindexIfComplete(tx, base.id);
    });
    return "failed";
  }
}
