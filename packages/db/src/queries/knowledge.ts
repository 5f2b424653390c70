/**
 * Query functions for knowledge bases, their documents and chunks. Every read that a user's request
 * reaches is scoped by project id; the chunk-level reads used by search are scoped by knowledge base
 * ids the caller already resolved inside the project.
 */
import { and, count, desc, eq, getTableColumns, gt, ilike, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { knowledgeBases, knowledgeChunks, knowledgeDocuments } from "../schema";

export type KnowledgeBaseRow = typeof knowledgeBases.$inferSelect;
export type KnowledgeDocumentRow = typeof knowledgeDocuments.$inferSelect;
export type KnowledgeDocumentSummaryRow = Omit<KnowledgeDocumentRow, "extractedText">;
export type NewKnowledgeChunk = typeof knowledgeChunks.$inferInsert;

export async function insertKnowledgeBase(db: DbExecutor, values: typeof knowledgeBases.$inferInsert): Promise<KnowledgeBaseRow> {
  const [row] = await db.insert(knowledgeBases).values(values).returning();
  if (!row) throw new Error("insert into knowledge_bases returned no row");
  return row;
}

export async function findKnowledgeBase(
  db: DbExecutor,
  params: { projectId: string; knowledgeBaseId: string },
): Promise<KnowledgeBaseRow | undefined> {
  const [row] = await db
    .select()
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.projectId, params.projectId), eq(knowledgeBases.id, params.knowledgeBaseId)));
  return row;
}

export async function findKnowledgeBases(db: DbExecutor, params: { projectId: string; knowledgeBaseIds: readonly string[] }) {
  if (params.knowledgeBaseIds.length === 0) return [];
  return db
    .select()
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.projectId, params.projectId), inArray(knowledgeBases.id, [...params.knowledgeBaseIds])));
}

export async function lockKnowledgeBase(db: DbExecutor, params: { knowledgeBaseId: string }): Promise<KnowledgeBaseRow | undefined> {
  const [row] = await db.select().from(knowledgeBases).where(eq(knowledgeBases.id, params.knowledgeBaseId)).for("update");
  return row;
}

export async function updateKnowledgeBaseRow(
  db: DbExecutor,
  params: { knowledgeBaseId: string; values: Partial<typeof knowledgeBases.$inferInsert> },
): Promise<KnowledgeBaseRow> {
  const [row] = await db
    .update(knowledgeBases)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(knowledgeBases.id, params.knowledgeBaseId))
    .returning();
  if (!row) throw new Error("update of knowledge_bases returned no row");
  return row;
}

/** Marks that chunks were added or removed, so in-process vector indexes reload what changed. */
export async function bumpKnowledgeContentVersion(db: DbExecutor, knowledgeBaseId: string): Promise<void> {
  await db
    .update(knowledgeBases)
    .set({ contentVersion: sql`${knowledgeBases.contentVersion} + 1` })
    .where(eq(knowledgeBases.id, knowledgeBaseId));
}

export async function deleteKnowledgeBaseRow(db: DbExecutor, params: { projectId: string; knowledgeBaseId: string }): Promise<boolean> {
  const rows = await db
    .delete(knowledgeBases)
    .where(and(eq(knowledgeBases.projectId, params.projectId), eq(knowledgeBases.id, params.knowledgeBaseId)))
    .returning({ id: knowledgeBases.id });
  return rows.length > 0;
}

/**
 * A project's bases with their counts, newest first; `search` matches part of the name or description
 * (case-insensitive, wildcards taken literally), `cursor` is the last row of the previous page.
 */
export async function listKnowledgeBaseRows(
  db: DbExecutor,
  params: { projectId: string; knowledgeBaseId?: string; search?: string; limit?: number; cursor?: { createdAt: Date; id: string } },
) {
  const documents = db
    .select({
      knowledgeBaseId: knowledgeDocuments.knowledgeBaseId,
      total: count().as("total"),
      ready: sql<number>`count(*) filter (where ${knowledgeDocuments.status} = 'ready')::int`.as("ready"),
      failed: sql<number>`count(*) filter (where ${knowledgeDocuments.status} = 'failed')::int`.as("failed"),
      chunks: sql<number>`coalesce(sum(${knowledgeDocuments.chunkCount}) filter (where ${knowledgeDocuments.status} = 'ready'), 0)::int`.as(
        "chunks",
      ),
    })
    .from(knowledgeDocuments)
    .where(eq(knowledgeDocuments.projectId, params.projectId))
    .groupBy(knowledgeDocuments.knowledgeBaseId)
    .as("documents");
  const conditions: SQL[] = [eq(knowledgeBases.projectId, params.projectId)];
  if (params.knowledgeBaseId) conditions.push(eq(knowledgeBases.id, params.knowledgeBaseId));
  if (params.search) {
    const pattern = `%${params.search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const matches = or(ilike(knowledgeBases.name, pattern), ilike(knowledgeBases.description, pattern));
    if (matches) conditions.push(matches);
  }
  if (params.cursor) {
    const before = or(
      lt(knowledgeBases.createdAt, params.cursor.createdAt),
      and(eq(knowledgeBases.createdAt, params.cursor.createdAt), lt(knowledgeBases.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select({
      base: knowledgeBases,
      documentCount: sql<number>`coalesce(${documents.total}, 0)::int`,
      readyCount: sql<number>`coalesce(${documents.ready}, 0)::int`,
      failedCount: sql<number>`coalesce(${documents.failed}, 0)::int`,
      chunkCount: sql<number>`coalesce(${documents.chunks}, 0)::int`,
    })
    .from(knowledgeBases)
    .leftJoin(documents, eq(documents.knowledgeBaseId, knowledgeBases.id))
    .where(and(...conditions))
    .orderBy(desc(knowledgeBases.createdAt), desc(knowledgeBases.id))
    .limit(params.limit ?? 1000);
}

/** Every column but the extracted text, which can be megabytes: only ingestion reads it. */
const summaryColumns = (() => {
  const { extractedText: _text, ...columns } = getTableColumns(knowledgeDocuments);
  return columns;
})();

export async function insertKnowledgeDocument(
  db: DbExecutor,
  values: typeof knowledgeDocuments.$inferInsert,
): Promise<KnowledgeDocumentSummaryRow> {
  const [row] = await db.insert(knowledgeDocuments).values(values).returning(summaryColumns);
  if (!row) throw new Error("insert into knowledge_documents returned no row");
  return row;
}

export async function findKnowledgeDocument(
  db: DbExecutor,
  params: { projectId: string; documentId: string },
): Promise<KnowledgeDocumentSummaryRow | undefined> {
  const [row] = await db
    .select(summaryColumns)
    .from(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.projectId, params.projectId), eq(knowledgeDocuments.id, params.documentId)));
  return row;
}

/** The whole row with its extracted text, locked for the ingestion transaction. */
export async function lockKnowledgeDocument(db: DbExecutor, params: { documentId: string }): Promise<KnowledgeDocumentRow | undefined> {
  const [row] = await db.select().from(knowledgeDocuments).where(eq(knowledgeDocuments.id, params.documentId)).for("update");
  return row;
}

export async function findKnowledgeDocumentWithText(
  db: DbExecutor,
  params: { documentId: string },
): Promise<KnowledgeDocumentRow | undefined> {
  const [row] = await db.select().from(knowledgeDocuments).where(eq(knowledgeDocuments.id, params.documentId));
  return row;
}

export async function updateKnowledgeDocumentRow(
  db: DbExecutor,
  params: { documentId: string; values: Partial<typeof knowledgeDocuments.$inferInsert> },
): Promise<KnowledgeDocumentSummaryRow> {
  const [row] = await db
    .update(knowledgeDocuments)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(knowledgeDocuments.id, params.documentId))
    .returning(summaryColumns);
  if (!row) throw new Error("update of knowledge_documents returned no row");
  return row;
}

export async function deleteKnowledgeDocumentRow(
  db: DbExecutor,
  params: { projectId: string; documentId: string },
): Promise<{ knowledgeBaseId: string } | undefined> {
  const [row] = await db
    .delete(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.projectId, params.projectId), eq(knowledgeDocuments.id, params.documentId)))
    .returning({ knowledgeBaseId: knowledgeDocuments.knowledgeBaseId });
  return row;
}

export async function listKnowledgeDocumentRows(
  db: DbExecutor,
  params: { knowledgeBaseId: string; limit: number; status?: string; cursor?: { createdAt: Date; id: string } },
): Promise<KnowledgeDocumentSummaryRow[]> {
  const conditions: SQL[] = [eq(knowledgeDocuments.knowledgeBaseId, params.knowledgeBaseId)];
  if (params.status) conditions.push(eq(knowledgeDocuments.status, params.status));
  if (params.cursor) {
    const before = or(
      lt(knowledgeDocuments.createdAt, params.cursor.createdAt),
      and(eq(knowledgeDocuments.createdAt, params.cursor.createdAt), lt(knowledgeDocuments.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select(summaryColumns)
    .from(knowledgeDocuments)
    .where(and(...conditions))
    .orderBy(desc(knowledgeDocuments.createdAt), desc(knowledgeDocuments.id))
    .limit(params.limit);
}

/** Ready documents of a base with no chunks in a generation yet (what a re-index still has to do). */
export async function listDocumentsMissingGeneration(db: DbExecutor, params: { knowledgeBaseId: string; generation: number }) {
  return db
    .select({ id: knowledgeDocuments.id })
    .from(knowledgeDocuments)
    .where(
      and(
        eq(knowledgeDocuments.knowledgeBaseId, params.knowledgeBaseId),
        eq(knowledgeDocuments.status, "ready"),
        sql`not exists (select 1 from ${knowledgeChunks} where ${knowledgeChunks.documentId} = ${knowledgeDocuments.id} and ${knowledgeChunks.generation} = ${params.generation})`,
      ),
    )
    .orderBy(knowledgeDocuments.createdAt);
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** String.prototype.toWellFormed (not in this TypeScript lib): a lone surrogate becomes U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(loneSurrogate, "\uFFFD");
}

/** Bytes of JSON per insert statement, so a big document goes in a few statements of bounded size. */
const chunkInsertBudget = 8 * 1024 * 1024;

/**
 * Inserts chunks (in the order given, so their `seq` follows it) with one parameter per statement: the
 * rows as a JSON array expanded by `jsonb_to_recordset`, the embeddings in base64. A multi-row VALUES
 * insert through the query builder costs more in building and binding 13 parameters a row than
 * PostgreSQL spends storing it (measured on the shared 2-core machine, the 1,606 chunks of a 723 kB
 * document into a near-empty table: 595 ms that way, 288 ms this way, of which the generated tsvector
 * is about 150 ms).
 */
export async function insertKnowledgeChunks(db: DbExecutor, rows: readonly NewKnowledgeChunk[]): Promise<void> {
  let batch: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const payload = `[${batch.join(",")}]`;
    batch = [];
    bytes = 0;
    await db.execute(sql`
      insert into ${knowledgeChunks} (id, project_id, knowledge_base_id, document_id, generation, position, heading_path, start_offset, end_offset, content, embedding)
      select coalesce(r.id, gen_random_uuid()), r.project_id, r.knowledge_base_id, r.document_id, r.generation, r.position,
        coalesce(r.heading_path, '[]'::jsonb), r.start_offset, r.end_offset, r.content, decode(r.embedding, 'base64')
      from rows from (jsonb_to_recordset(${payload}::jsonb) as (
          id uuid, project_id uuid, knowledge_base_id uuid, document_id uuid, generation int, position int,
          heading_path jsonb, start_offset int, end_offset int, content text, embedding text)
        ) with ordinality as r(id, project_id, knowledge_base_id, document_id, generation, position,
          heading_path, start_offset, end_offset, content, embedding, ordinality)
      order by r.ordinality`);
  };
  for (const row of rows) {
    // Lone surrogates cannot be stored; as text parameters they became U+FFFD, and do here too.
    const json = JSON.stringify({
      id: row.id,
      project_id: row.projectId,
      knowledge_base_id: row.knowledgeBaseId,
      document_id: row.documentId,
      generation: row.generation,
      position: row.position,
      heading_path: row.headingPath?.map(wellFormed),
      start_offset: row.startOffset,
      end_offset: row.endOffset,
      content: wellFormed(row.content),
      embedding: row.embedding.toString("base64"),
    });
    if (bytes + json.length > chunkInsertBudget) await flush();
    batch.push(json);
    bytes += json.length + 1;
  }
  await flush();
}

export async function deleteDocumentChunks(db: DbExecutor, params: { documentId: string; generation?: number }): Promise<number> {
  const rows = await db
    .delete(knowledgeChunks)
    .where(
      and(
        eq(knowledgeChunks.documentId, params.documentId),
        ...(params.generation === undefined ? [] : [eq(knowledgeChunks.generation, params.generation)]),
      ),
    )
    .returning({ id: knowledgeChunks.id });
  return rows.length;
}

export async function deleteChunksBeforeGeneration(db: DbExecutor, params: { knowledgeBaseId: string; generation: number }): Promise<void> {
  await db
    .delete(knowledgeChunks)
    .where(and(eq(knowledgeChunks.knowledgeBaseId, params.knowledgeBaseId), sql`${knowledgeChunks.generation} <> ${params.generation}`));
}

/** A document's chunks of one generation in order (re-index copies their text; the UI shows them). */
export async function listDocumentChunks(db: DbExecutor, params: { documentId: string; generation: number; limit?: number }) {
  return db
    .select({
      id: knowledgeChunks.id,
      position: knowledgeChunks.position,
      headingPath: knowledgeChunks.headingPath,
      startOffset: knowledgeChunks.startOffset,
      endOffset: knowledgeChunks.endOffset,
      content: knowledgeChunks.content,
    })
    .from(knowledgeChunks)
    .where(and(eq(knowledgeChunks.documentId, params.documentId), eq(knowledgeChunks.generation, params.generation)))
    .orderBy(knowledgeChunks.position)
    .limit(params.limit ?? 100_000);
}

export async function countKnowledgeChunks(db: DbExecutor, params: { knowledgeBaseId: string; generation?: number }): Promise<number> {
  const [row] = await db
    .select({ total: count() })
    .from(knowledgeChunks)
    .where(
      and(
        eq(knowledgeChunks.knowledgeBaseId, params.knowledgeBaseId),
        ...(params.generation === undefined ? [] : [eq(knowledgeChunks.generation, params.generation)]),
      ),
    );
  return row?.total ?? 0;
}

/**
 * Vectors of a generation added after `afterSeq`, in seq order (an in-process index loads them in pages).
 * The embeddings travel as base64 text rather than bytea's hex output: a third less to encode, send and
 * decode (100,000 x 384 loaded in 1.9 s instead of 2.8 s).
 */
export async function loadChunkVectors(
  db: DbExecutor,
  params: { knowledgeBaseId: string; generation: number; afterSeq: number; limit: number },
): Promise<Array<{ id: string; seq: number; embedding: Buffer }>> {
  const rows = await db
    .select({ id: knowledgeChunks.id, seq: knowledgeChunks.seq, embedding: sql<string>`encode(${knowledgeChunks.embedding}, 'base64')` })
    .from(knowledgeChunks)
    .where(
      and(
        eq(knowledgeChunks.knowledgeBaseId, params.knowledgeBaseId),
        eq(knowledgeChunks.generation, params.generation),
        gt(knowledgeChunks.seq, params.afterSeq),
      ),
    )
    .orderBy(knowledgeChunks.seq)
    .limit(params.limit);
  return rows.map((row) => ({ id: row.id, seq: row.seq, embedding: Buffer.from(row.embedding, "base64") }));
}

export interface KnowledgeSearchFilters {
  documentIds?: readonly string[];
  /** Chunks whose heading path contains this text (case-insensitive). */
  heading?: string;
  sourceKinds?: readonly string[];
  formats?: readonly string[];
}

export interface KnowledgeChunkHit {
  id: string;
  knowledgeBaseId: string;
  documentId: string;
  documentName: string;
  sourceKind: string;
  sourceUrl: string | null;
  format: string;
  position: number;
  headingPath: string[];
  content: string;
}

/** The filters on chunk columns and those on document columns. */
function splitFilterConditions(filters: KnowledgeSearchFilters | undefined): { chunk: SQL[]; document: SQL[] } {
  const chunk: SQL[] = [];
  const document: SQL[] = [];
  if (filters?.documentIds?.length) chunk.push(inArray(knowledgeChunks.documentId, [...filters.documentIds]));
  if (filters?.heading) {
    chunk.push(sql`${knowledgeChunks.headingPath}::text ilike ${`%${filters.heading.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  }
  if (filters?.sourceKinds?.length) document.push(inArray(knowledgeDocuments.sourceKind, [...filters.sourceKinds]));
  if (filters?.formats?.length) document.push(inArray(knowledgeDocuments.format, [...filters.formats]));
  return { chunk, document };
}

function filterConditions(filters: KnowledgeSearchFilters | undefined): SQL[] {
  const { chunk, document } = splitFilterConditions(filters);
  return [...chunk, ...document];
}

const hitColumns = {
  id: knowledgeChunks.id,
  knowledgeBaseId: knowledgeChunks.knowledgeBaseId,
  documentId: knowledgeChunks.documentId,
  documentName: knowledgeDocuments.name,
  sourceKind: knowledgeDocuments.sourceKind,
  sourceUrl: knowledgeDocuments.sourceUrl,
  format: knowledgeDocuments.format,
  position: knowledgeChunks.position,
  headingPath: knowledgeChunks.headingPath,
  content: knowledgeChunks.content,
};

/** The active generation of each base, as (id, generation) pairs for the search statements. */
function activeGenerationCondition(bases: ReadonlyArray<{ id: string; generation: number }>): SQL {
  const pairs = bases.map((base) => sql`(${base.id}::uuid, ${base.generation}::int)`);
  return sql`(${knowledgeChunks.knowledgeBaseId}, ${knowledgeChunks.generation}) in (${sql.join(pairs, sql`, `)})`;
}

/**
 * Full-text candidates: `websearch_to_tsquery` (words ORed unless the query uses operators) over the GIN-indexed tsvector, ranked by `ts_rank`
 * (normalisation 1: divided by 1 + log(length), so long chunks do not win by size alone). Only chunks
 * of ready documents exist, and the join keeps it so even if that ever changed.
 */
export async function fullTextKnowledgeSearch(
  db: DbExecutor,
  params: { bases: ReadonlyArray<{ id: string; generation: number }>; query: string; limit: number; filters?: KnowledgeSearchFilters },
): Promise<Array<KnowledgeChunkHit & { rank: number }>> {
  if (params.bases.length === 0) return [];
  // A question in plain words ("how many vacation days do we get") would match nothing if every word
  // had to appear, so without search operators the words are ORed and ts_rank prefers chunks with
  // more of them; quotes, `or` and `-word` keep websearch_to_tsquery's own meaning.
  const hasOperators = /"|(^|\s)-\S|\sor\s/i.test(params.query);
  const query = hasOperators
    ? sql`websearch_to_tsquery('english'::regconfig, ${params.query})`
    : sql`replace(websearch_to_tsquery('english'::regconfig, ${params.query})::text, ' & ', ' | ')::tsquery`;
  const filters = splitFilterConditions(params.filters);
  // The matching chunks are ranked in a materialised CTE, so the GIN index is scanned once whatever
  // the planner thinks of the documents table: with its statistics stale (a base filled moments ago),
  // it estimated one ready document and scanned the GIN index once per document instead (100 scans,
  // about 100 ms a query at 100,000 chunks, against 16 ms this way; with fresh statistics both take 16).
  const rows = await db.execute<Omit<KnowledgeChunkHit, "rank"> & { rank: number | string }>(sql`
    with matches as materialized (
      select ${knowledgeChunks.id} as id, ${knowledgeChunks.documentId} as document_id,
        ts_rank(${knowledgeChunks.searchVector}, ${query}, 1) as rank
      from ${knowledgeChunks}
      where ${and(activeGenerationCondition(params.bases), sql`${knowledgeChunks.searchVector} @@ ${query}`, ...filters.chunk)}
    ), top as (
      select matches.id, matches.rank
      from matches join ${knowledgeDocuments} on ${knowledgeDocuments.id} = matches.document_id
      where ${and(eq(knowledgeDocuments.status, "ready"), ...filters.document)}
      order by matches.rank desc, matches.id
      limit ${params.limit}
    )
    select ${knowledgeChunks.id} as "id", ${knowledgeChunks.knowledgeBaseId} as "knowledgeBaseId",
      ${knowledgeChunks.documentId} as "documentId", ${knowledgeDocuments.name} as "documentName",
      ${knowledgeDocuments.sourceKind} as "sourceKind", ${knowledgeDocuments.sourceUrl} as "sourceUrl",
      ${knowledgeDocuments.format} as "format", ${knowledgeChunks.position} as "position",
      ${knowledgeChunks.headingPath} as "headingPath", ${knowledgeChunks.content} as "content", top.rank as "rank"
    from top
      join ${knowledgeChunks} on ${knowledgeChunks.id} = top.id
      join ${knowledgeDocuments} on ${knowledgeDocuments.id} = ${knowledgeChunks.documentId}
    order by top.rank desc, top.id`);
  return rows.map((row) => ({ ...row, rank: Number(row.rank) }));
}

/** The live chunks among `ids` (a deleted document's are gone at once), with what a citation needs. */
export async function findLiveKnowledgeChunks(
  db: DbExecutor,
  params: { bases: ReadonlyArray<{ id: string; generation: number }>; ids: readonly string[]; filters?: KnowledgeSearchFilters },
): Promise<KnowledgeChunkHit[]> {
  if (params.ids.length === 0 || params.bases.length === 0) return [];
  return db
    .select(hitColumns)
    .from(knowledgeChunks)
    .innerJoin(knowledgeDocuments, eq(knowledgeDocuments.id, knowledgeChunks.documentId))
    .where(
      and(
        inArray(knowledgeChunks.id, [...params.ids]),
        activeGenerationCondition(params.bases),
        eq(knowledgeDocuments.status, "ready"),
        ...filterConditions(params.filters),
      ),
    );
}

/** Whether any filter needs the chunk or document rows (the vector index alone cannot apply it). */
export function hasKnowledgeFilters(filters: KnowledgeSearchFilters | undefined): boolean {
  return Boolean(filters?.documentIds?.length || filters?.heading || filters?.sourceKinds?.length || filters?.formats?.length);
}

export async function findKnowledgeChunk(db: DbExecutor, params: { projectId: string; chunkId: string }) {
  const [row] = await db
    .select({
      ...hitColumns,
      generation: knowledgeChunks.generation,
      startOffset: knowledgeChunks.startOffset,
      endOffset: knowledgeChunks.endOffset,
    })
    .from(knowledgeChunks)
    .innerJoin(knowledgeDocuments, eq(knowledgeDocuments.id, knowledgeChunks.documentId))
    .where(and(eq(knowledgeChunks.projectId, params.projectId), eq(knowledgeChunks.id, params.chunkId)));
  return row;
}

/** The vector extension's presence: installed in this database, or installable (available). */
export async function findVectorExtension(db: DbExecutor): Promise<{ installedVersion: string | null; isAvailable: boolean }> {
  const rows = await db.execute<{ installed_version: string | null }>(
    sql`select installed_version from pg_available_extensions where name = 'vector'`,
  );
  const row = rows[0];
  return { installedVersion: row?.installed_version ?? null, isAvailable: row !== undefined };
}

export async function deleteGenerationChunks(db: DbExecutor, params: { knowledgeBaseId: string; generation: number }): Promise<void> {
  await db
    .delete(knowledgeChunks)
    .where(and(eq(knowledgeChunks.knowledgeBaseId, params.knowledgeBaseId), eq(knowledgeChunks.generation, params.generation)));
}

/** Sets each ready document's chunk count to its chunks in a generation (after a re-index switched to it). */
export async function refreshDocumentChunkCounts(db: DbExecutor, params: { knowledgeBaseId: string; generation: number }): Promise<void> {
  await db.execute(sql`
    update ${knowledgeDocuments} d
    set chunk_count = (select count(*) from ${knowledgeChunks} c where c.document_id = d.id and c.generation = ${params.generation})
    where d.knowledge_base_id = ${params.knowledgeBaseId} and d.status = 'ready'`);
}
