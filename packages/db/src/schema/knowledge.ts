/**
 * Knowledge bases: documents of a project, split into chunks that are searched by PostgreSQL full text
 * (a generated tsvector with a GIN index) and by vector similarity.
 *
 * - A chunk exists only for a document that is `ready`: the ingestion job writes a document's chunks
 *   and flips it to ready in one transaction, so nothing half-indexed is ever searchable.
 * - Embeddings are stored as bytea (little-endian float32), not real[]: no extension is needed, and the
 *   in-process exact index loads 100,000 x 384 vectors as raw buffers instead of parsing text arrays.
 *   Where pgvector is installed, core mirrors them into a `vector` side table created at runtime (HNSW);
 *   the migration never depends on the extension.
 * - `generation` numbers one embedding model's set of vectors. Search reads the knowledge base's
 *   active generation; a re-index after a model change writes a new generation beside it and switches
 *   over when every ready document has its chunks there, so the old vectors stay searchable meanwhile.
 * - `content_version` is bumped in every transaction that adds or removes chunks: in-process vector
 *   indexes compare it to know they must load the rows added since (`seq`).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const knowledgeBases = pgTable(
  "knowledge_bases",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    /** local | openai | ollama: where the embeddings of the active generation come from. */
    embeddingProvider: text("embedding_provider").notNull(),
    embeddingModel: text("embedding_model").notNull(),
    dimensions: integer("dimensions").notNull(),
    /** Characters per chunk at most (the hard limit) and characters repeated between neighbours. */
    chunkSize: integer("chunk_size").notNull(),
    chunkOverlap: integer("chunk_overlap").notNull(),
    /** The generation search reads. */
    indexGeneration: integer("index_generation").notNull().default(1),
    /** A re-index in progress: { generation, provider, model, dimensions }; null when none. */
    pendingIndex: jsonb("pending_index"),
    contentVersion: bigint("content_version", { mode: "number" }).notNull().default(0),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("knowledge_bases_project_id_idx").on(table.projectId, table.createdAt),
    uniqueIndex("knowledge_bases_project_id_name_key").on(table.projectId, sql`lower(${table.name})`),
  ],
);

export const knowledgeDocuments = pgTable(
  "knowledge_documents",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    knowledgeBaseId: uuid("knowledge_base_id")
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** upload | url */
    sourceKind: text("source_kind").notNull(),
    sourceUrl: text("source_url"),
    /** text | markdown | html | pdf | json | csv */
    format: text("format").notNull(),
    /** queued | processing | ready | failed */
    status: text("status").notNull().default("queued"),
    error: text("error"),
    /** 0..1 while processing; 1 when ready. */
    progress: real("progress").notNull().default(0),
    /** SHA-256 (hex) of the bytes received. */
    contentHash: text("content_hash").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    /** The text extracted at upload (validated there), in Markdown-like form so headings survive. */
    extractedText: text("extracted_text").notNull(),
    chunkCount: integer("chunk_count").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    indexedAt: timestamp("indexed_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index("knowledge_documents_base_idx").on(table.knowledgeBaseId, table.createdAt)],
);

export const knowledgeChunks = pgTable(
  "knowledge_chunks",
  {
    id: id(),
    /** Insertion order; an in-process index loads the rows after the last one it has. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    knowledgeBaseId: uuid("knowledge_base_id")
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: "cascade" }),
    documentId: uuid("document_id")
      .notNull()
      .references(() => knowledgeDocuments.id, { onDelete: "cascade" }),
    generation: integer("generation").notNull(),
    /** 0-based order of the chunk in its document. */
    position: integer("position").notNull(),
    headingPath: jsonb("heading_path").$type<string[]>().notNull().default([]),
    /** Offsets of the chunk in the document's extracted text. */
    startOffset: integer("start_offset").notNull(),
    endOffset: integer("end_offset").notNull(),
    content: text("content").notNull(),
    /** Full text over the headings and the content ('english' configuration, stemmed). */
    searchVector: tsvector("search_vector")
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('english'::regconfig, heading_path::text || ' ' || content)`),
    embedding: bytea("embedding").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("knowledge_chunks_document_generation_position_key").on(table.documentId, table.generation, table.position),
    index("knowledge_chunks_base_generation_seq_idx").on(table.knowledgeBaseId, table.generation, table.seq),
    index("knowledge_chunks_search_vector_idx").using("gin", table.searchVector),
  ],
);
