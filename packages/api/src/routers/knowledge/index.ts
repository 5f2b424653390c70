/**
 * knowledge.*: knowledge bases, their documents, and search. Every procedure takes `projectId`; a base,
 * document or chunk of another project is NOT_FOUND.
 *
 * Contract for the dashboard:
 * - embeddingModels()                      -> [{ provider, model, dimensions, label, isOffline }]
 * - list({ search?, limit?, cursor? })     -> { items: KnowledgeBase[], nextCursor } (newest first; see ./schemas.ts)
 * - get({ knowledgeBaseId })                -> KnowledgeBase (counts, pendingIndex)
 * - create({ name, description?, embedding?: { provider, model, dimensions? }, chunkSize?, chunkOverlap? })
 * - update({ knowledgeBaseId, name?, description?, chunkSize?, chunkOverlap? }) / delete({ knowledgeBaseId })
 * - addDocument({ knowledgeBaseId, name, contentType?, contentBase64 }) -> KnowledgeDocument (status "queued")
 *     Upload: read the File as base64 (standard alphabet) and send it in this mutation. At most 10 MB
 *     decoded (PAYLOAD_TOO_LARGE, details.reason "document-too-large", checked by length before decoding).
 *     Formats: text, Markdown, HTML, PDF, JSON, CSV, by content type, extension, then sniffing. An empty,
 *     malformed or unsupported file is BAD_REQUEST with details.reason ("empty-document",
 *     "malformed-pdf", "malformed-json", "malformed-csv", "unsupported-format", "invalid-base64");
 *     nothing is stored then.
 * - addUrl({ knowledgeBaseId, url, name? }) -> KnowledgeDocument; the URL is read through the guarded
 *     HTTP client: a private/loopback/metadata host is refused (typed error) and nothing is stored.
 * - listDocuments({ knowledgeBaseId, status?, limit?, cursor? }) -> { items, nextCursor }
 * - getDocument({ documentId, chunkLimit? }) -> KnowledgeDocument & { chunks }
 * - deleteDocument({ documentId }) -> its chunks leave every result at once
 * - retryDocument({ documentId }) -> a failed document back to "queued" (PRECONDITION_FAILED otherwise)
 * - reindex({ knowledgeBaseId, embedding? }) -> KnowledgeBase & { documentsQueued }
 * - search({ knowledgeBaseIds, query, limit?, mode?: "hybrid"|"vector"|"fulltext", filters?: { documentIds,
 *     heading, sourceKinds, formats }, rerank?: { model: { provider, model } } }) -> { hits: [{ chunkId, content,
 *     score, scores: { fused, fullText, vector, rerank }, citation: { chunkId, documentId, documentName, position, headingPath, sourceUrl } }], vectorPath, tookMs }
 * - getChunk({ chunkId }) -> the chunk a citation points to
 *
 * Live progress: subscribe to `knowledge_documents.changed` ({ knowledgeBaseId, documentId, status,
 * progress }) and `knowledge.changed` ({ knowledgeBaseId, change }) through events.subscribe.
 */
import { createTRPCRouter } from "../../trpc";
import { addDocument } from "./add-document";
import { addUrl } from "./add-url";
import { create } from "./create";
import { remove } from "./delete";
import { deleteDocument, getChunk, getDocument, listDocuments, retryDocument } from "./documents";
import { embeddingModels } from "./embedding-models";
import { get } from "./get";
import { list } from "./list";
import { reindex } from "./reindex";
import { search } from "./search";
import { update } from "./update";

export const knowledgeRouter = createTRPCRouter({
  embeddingModels,
  list,
  get,
  create,
  update,
  delete: remove,
  addDocument,
  addUrl,
  listDocuments,
  getDocument,
  deleteDocument,
  retryDocument,
  reindex,
  search,
  getChunk,
});
