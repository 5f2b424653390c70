/**
 * Knowledge bases and their documents: create and change bases, add documents (an upload's bytes or a
 * URL read through the guarded HTTP client), list, delete, retry, re-index.
 *
 * Adding a document validates everything that can be validated at once (size, format, that the text
 * can be extracted and is not empty, that the URL's host is allowed), so bad input gets a typed error
 * and nothing is stored. The document row and its ingestion job are then written in one transaction;
 * the job (./ingestion.ts) chunks and embeds the extracted text.
 */
import { createHash } from "node:crypto";
import {
  bumpKnowledgeContentVersion,
  type Database,
  type DbExecutor,
  deleteChunksBeforeGeneration,
  deleteDocumentChunks,
  deleteGenerationChunks,
  deleteKnowledgeBaseRow,
  deleteKnowledgeDocumentRow,
  findKnowledgeBase,
  findKnowledgeChunk,
  findKnowledgeDocument,
  insertKnowledgeBase,
  insertKnowledgeDocument,
  type KnowledgeBaseRow,
  type KnowledgeDocumentSummaryRow,
  listDocumentChunks,
  listDocumentsMissingGeneration,
  listKnowledgeBaseRows,
  listKnowledgeDocumentRows,
  lockKnowledgeBase,
  lockKnowledgeDocument,
  refreshDocumentChunkCounts,
  updateKnowledgeBaseRow,
  updateKnowledgeDocumentRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { decodeCursor, toPage, ZPageCursor } from "../pagination";
import type { Actor } from "../projects/projects";
import { guardedFetch } from "../security/http-guard";
import { hasControlCharactersInText } from "../validation";
import { embeddingModels, ZEmbeddingChoice } from "./embedders";
import { type DocumentFormat, detectFormat, documentFormats, extractDocumentText } from "./parsers";

/** Bytes a document may have. Uploads travel base64-encoded in a tRPC mutation (4/3 of this). */
export const maxDocumentBytes = 10 * 1024 * 1024;
/** Characters of extracted text kept per document (a 10 MB PDF rarely has more). */
export const maxExtractedChars = 5_000_000;

/** The knowledge queue: ingestion jobs per (document, generation), enqueued in the caller's transaction. */
export interface KnowledgeQueue {
  enqueueIngestion(tx: DbExecutor, job: { documentId: string; generation: number }): Promise<void>;
}

export interface PendingIndex {
  generation: number;
  provider: "local" | "openai" | "ollama";
  model: string;
  dimensions: number;
}

const ZName = z
  .string()
  .trim()
  .min(1, "Give it a name")
  .max(100, "Keep the name under 100 characters")
  .refine((value) => !hasControlCharactersInText(value), "Names cannot contain control characters");

const ZChunking = z.object({
  chunkSize: z.number().int().min(200, "Chunks of at least 200 characters").max(8000, "Chunks of at most 8,000 characters").default(1200),
  chunkOverlap: z.number().int().min(0).max(2000).default(150),
});

export const ZCreateKnowledgeBaseInput = z
  .object({
    name: ZName,
    description: z.string().trim().max(2000).default(""),
    embedding: ZEmbeddingChoice.default({ provider: "local", model: "local-hash-256", dimensions: 256 }),
  })
  .extend(ZChunking.shape)
  .refine((value) => value.chunkOverlap <= value.chunkSize / 2, { path: ["chunkOverlap"], message: "Overlap at most half the chunk size" });
export type TCreateKnowledgeBaseInput = z.input<typeof ZCreateKnowledgeBaseInput>;

export const ZUpdateKnowledgeBaseInput = z.object({
  knowledgeBaseId: z.uuid(),
  name: ZName.optional(),
  description: z.string().trim().max(2000).optional(),
  /** Applies to documents indexed from now on; re-index to re-chunk the existing ones. */
  chunkSize: ZChunking.shape.chunkSize.unwrap().optional(),
  chunkOverlap: ZChunking.shape.chunkOverlap.unwrap().optional(),
});
export type TUpdateKnowledgeBaseInput = z.input<typeof ZUpdateKnowledgeBaseInput>;

/** Base64 of at most maxDocumentBytes, checked by length before anything is decoded. */
const maxBase64Chars = Math.ceil(maxDocumentBytes / 3) * 4;

export const ZAddDocumentInput = z.object({
  knowledgeBaseId: z.uuid(),
  name: ZName.pipe(z.string().max(255)),
  /** Optional hint (the browser's File.type); the file name's extension and the bytes decide otherwise. */
  contentType: z.string().trim().max(200).optional(),
  /** The file's bytes, base64 (standard alphabet, padding optional). Length is checked before decoding. */
  contentBase64: z.string(),
});
export type TAddDocumentInput = z.input<typeof ZAddDocumentInput>;

export const ZAddUrlDocumentInput = z.object({
  knowledgeBaseId: z.uuid(),
  url: z
    .string()
    .trim()
    .max(2048)
    .pipe(z.url({ protocol: /^https?$/, message: "Use an http:// or https:// URL" })),
  name: ZName.pipe(z.string().max(255)).optional(),
});
export type TAddUrlDocumentInput = z.input<typeof ZAddUrlDocumentInput>;

export const ZReindexInput = z.object({
  knowledgeBaseId: z.uuid(),
  /** A new embedding model; omitted: the current one (re-chunks with the current chunk settings). */
  embedding: ZEmbeddingChoice.optional(),
});
export type TReindexInput = z.input<typeof ZReindexInput>;

export function toKnowledgeBase(
  row: KnowledgeBaseRow,
  counts?: { documentCount: number; readyCount: number; failedCount: number; chunkCount: number },
) {
  const pending = (row.pendingIndex as PendingIndex | null) ?? null;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    embedding: { provider: row.embeddingProvider, model: row.embeddingModel, dimensions: row.dimensions },
    chunkSize: row.chunkSize,
    chunkOverlap: row.chunkOverlap,
    indexGeneration: row.indexGeneration,
    /** A re-index in progress (searches keep using the current generation until it completes). */
    pendingIndex: pending,
    documentCount: counts?.documentCount ?? 0,
    readyDocumentCount: counts?.readyCount ?? 0,
    failedDocumentCount: counts?.failedCount ?? 0,
    chunkCount: counts?.chunkCount ?? 0,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type KnowledgeBase = ReturnType<typeof toKnowledgeBase>;

export function toKnowledgeDocument(row: KnowledgeDocumentSummaryRow) {
  return {
    id: row.id,
    knowledgeBaseId: row.knowledgeBaseId,
    name: row.name,
    sourceKind: row.sourceKind as "upload" | "url",
    sourceUrl: row.sourceUrl,
    format: row.format as DocumentFormat,
    status: row.status as "queued" | "processing" | "ready" | "failed",
    error: row.error,
    progress: row.progress,
    contentHash: row.contentHash,
    sizeBytes: row.sizeBytes,
    chunkCount: row.chunkCount,
    attempts: row.attempts,
    indexedAt: row.indexedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type KnowledgeDocument = ReturnType<typeof toKnowledgeDocument>;

function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string }; code?: string }) ?? {};
  return cause.code === "23505" || cause.cause?.code === "23505";
}

export function listEmbeddingModels() {
  return embeddingModels.map((model) => ({ ...model }));
}

export async function createKnowledgeBase(db: Database, actor: Actor, input: { projectId: string } & TCreateKnowledgeBaseInput) {
  const parsed = ZCreateKnowledgeBaseInput.parse(input);
  try {
    return await db.transaction(async (tx) => {
      const row = await insertKnowledgeBase(tx, {
        projectId: input.projectId,
        name: parsed.name,
        description: parsed.description,
        embeddingProvider: parsed.embedding.provider,
        embeddingModel: parsed.embedding.model,
        dimensions: parsed.embedding.dimensions,
        chunkSize: parsed.chunkSize,
        chunkOverlap: parsed.chunkOverlap,
        createdBy: actor.userId,
      });
      await recordAudit(tx, {
        projectId: input.projectId,
        actorUserId: actor.userId,
        action: "knowledge.create",
        target: row.id,
        metadata: { name: row.name, embeddingModel: row.embeddingModel },
        ip: actor.ip,
      });
      await publishEvent(tx, input.projectId, "knowledge.changed", { knowledgeBaseId: row.id, change: "created" });
      return toKnowledgeBase(row);
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", `A knowledge base named "${parsed.name}" already exists`, { field: "name" });
    throw error;
  }
}

export async function requireKnowledgeBase(
  db: DbExecutor,
  input: { projectId: string; knowledgeBaseId: string },
): Promise<KnowledgeBaseRow> {
  const row = await findKnowledgeBase(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Knowledge base not found");
  return row;
}

export async function updateKnowledgeBase(db: Database, actor: Actor, input: { projectId: string } & TUpdateKnowledgeBaseInput) {
  const parsed = ZUpdateKnowledgeBaseInput.parse(input);
  try {
    return await db.transaction(async (tx) => {
      const current = await requireKnowledgeBase(tx, { projectId: input.projectId, knowledgeBaseId: parsed.knowledgeBaseId });
      const chunkSize = parsed.chunkSize ?? current.chunkSize;
      const chunkOverlap = parsed.chunkOverlap ?? current.chunkOverlap;
      if (chunkOverlap > chunkSize / 2) {
        throw new AppError("VALIDATION_FAILED", "Overlap at most half the chunk size", {
          fieldErrors: { chunkOverlap: ["Overlap at most half the chunk size"] },
        });
      }
      const row = await updateKnowledgeBaseRow(tx, {
        knowledgeBaseId: current.id,
        values: {
          ...(parsed.name !== undefined ? { name: parsed.name } : {}),
          ...(parsed.description !== undefined ? { description: parsed.description } : {}),
          chunkSize,
          chunkOverlap,
        },
      });
      await recordAudit(tx, {
        projectId: input.projectId,
        actorUserId: actor.userId,
        action: "knowledge.update",
        target: row.id,
        ip: actor.ip,
      });
      await publishEvent(tx, input.projectId, "knowledge.changed", { knowledgeBaseId: row.id, change: "updated" });
      return toKnowledgeBase(row);
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", `A knowledge base named "${parsed.name}" already exists`, { field: "name" });
    throw error;
  }
}

export async function deleteKnowledgeBase(db: Database, actor: Actor, input: { projectId: string; knowledgeBaseId: string }) {
  return db.transaction(async (tx) => {
    const deleted = await deleteKnowledgeBaseRow(tx, input);
    if (!deleted) throw new AppError("NOT_FOUND", "Knowledge base not found");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "knowledge.delete",
      target: input.knowledgeBaseId,
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "knowledge.changed", { knowledgeBaseId: input.knowledgeBaseId, change: "deleted" });
    return { deleted: true as const };
  });
}

export const ZListKnowledgeBasesInput = z.object({
  /** Part of the name or description, case-insensitive. */
  search: z.string().trim().max(100).optional(),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: ZPageCursor.optional(),
});

/** One page of the project's bases with their counts, newest first. */
export async function listKnowledgeBases(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListKnowledgeBasesInput>) {
  const options = ZListKnowledgeBasesInput.parse(input);
  const rows = await listKnowledgeBaseRows(db, {
    projectId: input.projectId,
    ...(options.search ? { search: options.search } : {}),
    limit: options.limit + 1,
    ...(options.cursor ? { cursor: decodeCursor(options.cursor) } : {}),
  });
  return toPage(
    rows,
    options.limit,
    (row) => toKnowledgeBase(row.base, row),
    (row) => row.base,
  );
}

export async function getKnowledgeBase(db: DbExecutor, input: { projectId: string; knowledgeBaseId: string }) {
  const [found] = await listKnowledgeBaseRows(db, { projectId: input.projectId, knowledgeBaseId: input.knowledgeBaseId, limit: 1 });
  if (!found) throw new AppError("NOT_FOUND", "Knowledge base not found");
  return toKnowledgeBase(found.base, found);
}

function decodeBase64(value: string): Uint8Array {
  // Size first: a 50 MB upload is refused by its length, before a byte of it is decoded.
  if (value.length > maxBase64Chars) {
    throw new AppError("PAYLOAD_TOO_LARGE", `Documents may have at most ${maxDocumentBytes / 1024 / 1024} MB`, {
      reason: "document-too-large",
      maxBytes: maxDocumentBytes,
    });
  }
  const compact = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new AppError("BAD_REQUEST", "The content is not valid base64", { reason: "invalid-base64" });
  }
  const bytes = Buffer.from(compact, "base64");
  if (bytes.byteLength > maxDocumentBytes) {
    throw new AppError("PAYLOAD_TOO_LARGE", `Documents may have at most ${maxDocumentBytes / 1024 / 1024} MB`, {
      reason: "document-too-large",
      maxBytes: maxDocumentBytes,
    });
  }
  return bytes;
}

async function storeDocument(
  db: Database,
  queue: KnowledgeQueue,
  actor: Actor,
  input: {
    projectId: string;
    knowledgeBaseId: string;
    name: string;
    sourceKind: "upload" | "url";
    sourceUrl: string | null;
    format: DocumentFormat;
    bytes: Uint8Array;
    text: string;
  },
) {
  return db.transaction(async (tx) => {
    const base = await requireKnowledgeBase(tx, { projectId: input.projectId, knowledgeBaseId: input.knowledgeBaseId });
    const row = await insertKnowledgeDocument(tx, {
      projectId: input.projectId,
      knowledgeBaseId: base.id,
      name: input.name,
      sourceKind: input.sourceKind,
      sourceUrl: input.sourceUrl,
      format: input.format,
      status: "queued",
      contentHash: createHash("sha256").update(input.bytes).digest("hex"),
      sizeBytes: input.bytes.byteLength,
      extractedText: input.text.slice(0, maxExtractedChars),
      createdBy: actor.userId,
    });
    await queue.enqueueIngestion(tx, { documentId: row.id, generation: base.indexGeneration });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "knowledge.document_add",
      target: row.id,
      metadata: { knowledgeBaseId: base.id, name: row.name, sourceKind: row.sourceKind },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "knowledge_documents.changed", {
      knowledgeBaseId: base.id,
      documentId: row.id,
      status: "queued",
      progress: 0,
    });
    return toKnowledgeDocument(row);
  });
}

export async function addKnowledgeDocument(
  db: Database,
  deps: { queue: KnowledgeQueue },
  actor: Actor,
  input: { projectId: string } & TAddDocumentInput,
) {
  const parsed = ZAddDocumentInput.parse(input);
  // The base is checked first so another project's id is NOT_FOUND before any work on the bytes.
  await requireKnowledgeBase(db, { projectId: input.projectId, knowledgeBaseId: parsed.knowledgeBaseId });
  const bytes = decodeBase64(parsed.contentBase64);
  const format = detectFormat({ name: parsed.name, contentType: parsed.contentType ?? null, bytes });
  const text = await extractDocumentText(bytes, format);
  return storeDocument(db, deps.queue, actor, {
    projectId: input.projectId,
    knowledgeBaseId: parsed.knowledgeBaseId,
    name: parsed.name,
    sourceKind: "upload",
    sourceUrl: null,
    format,
    bytes,
    text,
  });
}

export async function addKnowledgeUrlDocument(
  db: Database,
  deps: { queue: KnowledgeQueue; allowedHosts?: readonly string[]; signal?: AbortSignal },
  actor: Actor,
  input: { projectId: string } & TAddUrlDocumentInput,
) {
  const parsed = ZAddUrlDocumentInput.parse(input);
  await requireKnowledgeBase(db, { projectId: input.projectId, knowledgeBaseId: parsed.knowledgeBaseId });
  // The guard refuses private, loopback and metadata addresses (after DNS, and on every redirect) with a typed error.
  const response = await guardedFetch(parsed.url, {
    responseType: "bytes",
    maxResponseBytes: maxDocumentBytes,
    oversize: "reject",
    timeoutMs: 30_000,
    headers: { accept: "text/html, text/markdown, text/plain, application/pdf, application/json, text/csv;q=0.9, */*;q=0.1" },
    ...(deps.allowedHosts ? { allowedHosts: deps.allowedHosts } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (response.status < 200 || response.status >= 300) {
    throw new AppError("BAD_REQUEST", `The URL answered HTTP ${response.status}`, { reason: "url-status", status: response.status });
  }
  const url = new URL(response.url);
  const fileName = decodeURIComponent(url.pathname.split("/").filter(Boolean).at(-1) ?? "") || url.hostname;
  const format = detectFormat({ name: fileName, contentType: response.headers["content-type"] ?? null, bytes: response.body });
  const text = await extractDocumentText(response.body, format);
  const title =
    format === "html" ? /<title[^>]*>([^<]{1,255})<\/title>/i.exec(Buffer.from(response.body).toString("utf8"))?.[1]?.trim() : undefined;
  return storeDocument(db, deps.queue, actor, {
    projectId: input.projectId,
    knowledgeBaseId: parsed.knowledgeBaseId,
    name: parsed.name ?? (title || `${url.hostname}${url.pathname}`).slice(0, 255),
    sourceKind: "url",
    sourceUrl: response.url,
    format,
    bytes: response.body,
    text,
  });
}

export const ZListDocumentsInput = z.object({
  knowledgeBaseId: z.uuid(),
  status: z.enum(["queued", "processing", "ready", "failed"]).optional(),
  limit: z.number().int().min(1).max(200).default(100),
  cursor: ZPageCursor.optional(),
});

export async function listKnowledgeDocuments(db: DbExecutor, input: { projectId: string } & z.input<typeof ZListDocumentsInput>) {
  const parsed = ZListDocumentsInput.parse(input);
  await requireKnowledgeBase(db, { projectId: input.projectId, knowledgeBaseId: parsed.knowledgeBaseId });
  const rows = await listKnowledgeDocumentRows(db, {
    knowledgeBaseId: parsed.knowledgeBaseId,
    limit: parsed.limit + 1,
    ...(parsed.status ? { status: parsed.status } : {}),
    ...(parsed.cursor ? { cursor: decodeCursor(parsed.cursor) } : {}),
  });
  return toPage(rows, parsed.limit, toKnowledgeDocument);
}

export async function requireKnowledgeDocument(db: DbExecutor, input: { projectId: string; documentId: string }) {
  const row = await findKnowledgeDocument(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Document not found");
  return row;
}

/** A document with its chunks of the active generation (first `chunkLimit`). */
export async function getKnowledgeDocument(db: DbExecutor, input: { projectId: string; documentId: string; chunkLimit?: number }) {
  const row = await requireKnowledgeDocument(db, input);
  const base = await requireKnowledgeBase(db, { projectId: input.projectId, knowledgeBaseId: row.knowledgeBaseId });
  const chunks = await listDocumentChunks(db, { documentId: row.id, generation: base.indexGeneration, limit: input.chunkLimit ?? 200 });
  return { ...toKnowledgeDocument(row), chunks };
}

export async function getKnowledgeChunk(db: DbExecutor, input: { projectId: string; chunkId: string }) {
  const row = await findKnowledgeChunk(db, input);
  if (!row) throw new AppError("NOT_FOUND", "Chunk not found");
  return row;
}

/** Deletes a document and its chunks in one transaction: its chunks leave every search result at once. */
export async function deleteKnowledgeDocument(db: Database, actor: Actor, input: { projectId: string; documentId: string }) {
  return db.transaction(async (tx) => {
    const deleted = await deleteKnowledgeDocumentRow(tx, input);
    if (!deleted) throw new AppError("NOT_FOUND", "Document not found");
    await bumpKnowledgeContentVersion(tx, deleted.knowledgeBaseId);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "knowledge.document_delete",
      target: input.documentId,
      metadata: { knowledgeBaseId: deleted.knowledgeBaseId },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "knowledge_documents.changed", {
      knowledgeBaseId: deleted.knowledgeBaseId,
      documentId: input.documentId,
      status: "deleted",
      progress: 0,
    });
    await finishReindexIfComplete(tx, deleted.knowledgeBaseId);
    return { deleted: true as const };
  });
}

/** Puts a failed document back in the queue (its error is cleared; it is chunked and embedded again). */
export async function retryKnowledgeDocument(
  db: Database,
  deps: { queue: KnowledgeQueue },
  actor: Actor,
  input: { projectId: string; documentId: string },
) {
  return db.transaction(async (tx) => {
    const found = await requireKnowledgeDocument(tx, input);
    const locked = await lockKnowledgeDocument(tx, { documentId: found.id });
    if (!locked) throw new AppError("NOT_FOUND", "Document not found");
    if (locked.status !== "failed") {
      throw new AppError("PRECONDITION_FAILED", `Only a failed document can be retried (this one is ${locked.status})`, {
        status: locked.status,
      });
    }
    const base = await requireKnowledgeBase(tx, { projectId: input.projectId, knowledgeBaseId: locked.knowledgeBaseId });
    const removed = await deleteDocumentChunks(tx, { documentId: locked.id });
    if (removed > 0) await bumpKnowledgeContentVersion(tx, base.id);
    const row = await updateKnowledgeDocumentRow(tx, {
      documentId: locked.id,
      values: { status: "queued", error: null, progress: 0, attempts: 0, chunkCount: 0 },
    });
    await deps.queue.enqueueIngestion(tx, { documentId: locked.id, generation: base.indexGeneration });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "knowledge.document_retry",
      target: locked.id,
      metadata: { knowledgeBaseId: base.id },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "knowledge_documents.changed", {
      knowledgeBaseId: base.id,
      documentId: locked.id,
      status: "queued",
      progress: 0,
    });
    return toKnowledgeDocument(row);
  });
}

/**
 * Starts a re-index: a new generation with the given (or the current) embedding model and the current
 * chunk settings; one ingestion job per ready document. Searches keep reading the current generation
 * until every ready document has its chunks in the new one, then it switches in one transaction.
 * A second re-index while one runs replaces it (its generation is abandoned and its chunks dropped).
 */
export async function reindexKnowledgeBase(
  db: Database,
  deps: { queue: KnowledgeQueue },
  actor: Actor,
  input: { projectId: string } & TReindexInput,
) {
  const parsed = ZReindexInput.parse(input);
  return db.transaction(async (tx) => {
    await requireKnowledgeBase(tx, { projectId: input.projectId, knowledgeBaseId: parsed.knowledgeBaseId });
    const base = await lockKnowledgeBase(tx, { knowledgeBaseId: parsed.knowledgeBaseId });
    if (!base) throw new AppError("NOT_FOUND", "Knowledge base not found");
    const previous = (base.pendingIndex as PendingIndex | null) ?? null;
    const generation = Math.max(base.indexGeneration, previous?.generation ?? 0) + 1;
    const choice = parsed.embedding ?? {
      provider: base.embeddingProvider as PendingIndex["provider"],
      model: base.embeddingModel,
      dimensions: base.dimensions,
    };
    const pending: PendingIndex = { generation, provider: choice.provider, model: choice.model, dimensions: choice.dimensions };
    let row = await updateKnowledgeBaseRow(tx, { knowledgeBaseId: base.id, values: { pendingIndex: pending } });
    // An abandoned generation's chunks are never searched; drop them now.
    if (previous) await deleteGenerationChunks(tx, { knowledgeBaseId: base.id, generation: previous.generation });
    const documents = await listDocumentsMissingGeneration(tx, { knowledgeBaseId: base.id, generation });
    for (const document of documents) await deps.queue.enqueueIngestion(tx, { documentId: document.id, generation });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "knowledge.reindex",
      target: base.id,
      metadata: { generation, embeddingModel: choice.model, documentsQueued: documents.length },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "knowledge.changed", { knowledgeBaseId: base.id, change: "reindex_started" });
    const switched = await finishReindexIfComplete(tx, base.id);
    if (switched) row = switched;
    return { ...toKnowledgeBase(row), documentsQueued: documents.length };
  });
}

/**
 * Switches a base to its pending generation when every ready document has chunks there (the caller's
 * transaction; the base row is locked). Returns the updated row when it switched.
 */
export async function finishReindexIfComplete(tx: DbExecutor, knowledgeBaseId: string): Promise<KnowledgeBaseRow | null> {
  const base = await lockKnowledgeBase(tx, { knowledgeBaseId });
  const pending = (base?.pendingIndex as PendingIndex | null) ?? null;
  if (!base || !pending) return null;
  const missing = await listDocumentsMissingGeneration(tx, { knowledgeBaseId, generation: pending.generation });
  if (missing.length > 0) return null;
  const row = await updateKnowledgeBaseRow(tx, {
    knowledgeBaseId,
    values: {
      indexGeneration: pending.generation,
      embeddingProvider: pending.provider,
      embeddingModel: pending.model,
      dimensions: pending.dimensions,
      pendingIndex: null,
      contentVersion: base.contentVersion + 1,
    },
  });
  await deleteChunksBeforeGeneration(tx, { knowledgeBaseId, generation: pending.generation });
  // Ready counts per document follow the active generation.
  await refreshDocumentChunkCounts(tx, { knowledgeBaseId, generation: pending.generation });
  await publishEvent(tx, base.projectId, "knowledge.changed", { knowledgeBaseId, change: "reindexed" });
  return row;
}

export { documentFormats };
