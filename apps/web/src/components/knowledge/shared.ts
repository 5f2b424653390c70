/**
 * What the knowledge pages share: the API's types (taken from its outputs, so a status or format
 * added there fails to compile here until it is shown), statuses and formats as people read them, the
 * event payloads checked, and small formatting helpers.
 */
import type { RouterInputs, RouterOutputs } from "@gathering/api";

export type KnowledgeBase = RouterOutputs["knowledge"]["get"];
export type KnowledgeDocument = RouterOutputs["knowledge"]["listDocuments"]["items"][number];
export type DocumentsPage = RouterOutputs["knowledge"]["listDocuments"];
export type DocumentStatus = KnowledgeDocument["status"];
export type DocumentFormat = KnowledgeDocument["format"];
export type DocumentChunk = RouterOutputs["knowledge"]["getDocument"]["chunks"][number];
export type CitedChunk = RouterOutputs["knowledge"]["getChunk"];
export type EmbeddingModelOption = RouterOutputs["knowledge"]["embeddingModels"][number];
export type SearchInput = RouterInputs["knowledge"]["search"];
export type SearchMode = NonNullable<SearchInput["mode"]>;
export type SearchOutput = RouterOutputs["knowledge"]["search"];
export type SearchHit = SearchOutput["hits"][number];
export type Citation = SearchHit["citation"];

export const documentStatusLabels: Record<DocumentStatus, string> = {
  queued: "Queued",
  processing: "Indexing",
  ready: "Ready",
  failed: "Failed",
};

export function isDocumentWorking(status: DocumentStatus): boolean {
  return status === "queued" || status === "processing";
}

export const documentFormatLabels: Record<DocumentFormat, string> = {
  text: "Text",
  markdown: "Markdown",
  html: "HTML",
  pdf: "PDF",
  json: "JSON",
  csv: "CSV",
};

export const searchModeLabels: Record<SearchMode, string> = {
  hybrid: "Hybrid (fused)",
  fulltext: "Full text only",
  vector: "Vectors only",
};

/** The formats ingestion reads, for the file picker's `accept`. */
export const acceptedFileTypes = [
  ".txt",
  ".text",
  ".md",
  ".markdown",
  ".html",
  ".htm",
  ".pdf",
  ".json",
  ".csv",
  "text/plain",
  "text/markdown",
  "text/html",
  "application/pdf",
  "application/json",
  "text/csv",
].join(",");

export const acceptedFormatsText = "Text, Markdown, HTML, PDF, JSON or CSV, up to 10 MB each";

/** "local:local-hash-256 · 256 dimensions": the model as stored, with its vector size. */
export function embeddingModelLabel(model: { provider: string; model: string; dimensions: number }): string {
  return `${model.provider}:${model.model} · ${model.dimensions} dimensions`;
}

export function embeddingModelKey(model: { provider: string; model: string }): string {
  return `${model.provider}:${model.model}`;
}

/** The option's text in a model picker: the built-in embedder says it is offline and needs no key. */
export function embeddingModelOptionLabel(model: EmbeddingModelOption): string {
  return model.isOffline
    ? `Offline, built in (no API key): ${model.model} · ${model.dimensions} dimensions`
    : `${model.label} · ${model.dimensions} dimensions`;
}

/** A `knowledge_documents.changed` payload, checked: events arrive as unknown JSON. */
export type DocumentChange =
  | { documentId: string; knowledgeBaseId: string; kind: "deleted" }
  | { documentId: string; knowledgeBaseId: string; kind: "progress"; status: DocumentStatus; progress: number };

export function documentChangeOf(payload: unknown): DocumentChange | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { documentId, knowledgeBaseId, status, progress } = payload as Record<string, unknown>;
  if (typeof documentId !== "string" || typeof knowledgeBaseId !== "string" || typeof status !== "string") return null;
  if (status === "deleted") return { documentId, knowledgeBaseId, kind: "deleted" };
  if (!Object.hasOwn(documentStatusLabels, status)) return null;
  const fraction = typeof progress === "number" && Number.isFinite(progress) ? Math.min(1, Math.max(0, progress)) : 0;
  return { documentId, knowledgeBaseId, kind: "progress", status: status as DocumentStatus, progress: fraction };
}

/** A `knowledge.changed` payload (created, updated, deleted, reindex_started, reindexed). */
export function knowledgeBaseChangeOf(payload: unknown): { knowledgeBaseId: string; change: string } | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { knowledgeBaseId, change } = payload as Record<string, unknown>;
  if (typeof knowledgeBaseId !== "string" || typeof change !== "string") return null;
  return { knowledgeBaseId, change };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A score with enough digits to tell neighbours apart. */
export function formatScore(value: number): string {
  if (!Number.isFinite(value)) return "—";
  return value.toFixed(4);
}

/** "Guide › Install › Linux": where a chunk sits in its document. */
export function formatHeadingPath(headingPath: readonly string[]): string {
  return headingPath.join(" › ");
}

/** Where a citation leads: the chunk, highlighted in its document. */
export function chunkHref(citation: { knowledgeBaseId: string; chunkId: string }): string {
  return `/knowledge/${citation.knowledgeBaseId}?${new URLSearchParams({ chunk: citation.chunkId })}`;
}
