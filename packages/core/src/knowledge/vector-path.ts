/**
 * Which vector search path a database gets, decided at runtime: pgvector with an HNSW index when the
 * `vector` extension is installed (or installable: `create extension` is tried once), the in-process
 * exact index otherwise. The migrations never depend on the extension: the pgvector side table
 * `knowledge_chunk_vectors` (chunk id, base, generation, untyped `vector`) is created here, and each
 * (base, generation) gets a partial HNSW index over `embedding::vector(dimensions)` (HNSW needs a fixed
 * dimension; bases differ, so the cast is part of the index expression and of the query).
 *
 * Chunks are mirrored into the side table in the ingestion transaction; a base indexed before the
 * extension appeared is filled the first time it is searched through pgvector.
 */
import { type Database, type DbExecutor, findVectorExtension } from "@gathering/db";
import { sql } from "drizzle-orm";
import { bytesToVector } from "./embedders";
import type { IndexedBase } from "./vector-index";

export type VectorPath = "pgvector" | "exact";

export interface VectorPathInfo {
  path: VectorPath;
  /** The extension's version when pgvector is used. */
  extensionVersion: string | null;
  /** Why the exact path is used (no extension, not installable). */
  reason: string | null;
}

const detected = new WeakMap<object, Promise<VectorPathInfo>>();
/** Tests and the bench force a path on a database (e.g. exact on a pgvector database, to compare). */
const forced = new WeakMap<object, VectorPath>();

export function forceVectorPath(db: DbExecutor, path: VectorPath | null) {
  if (path === null) forced.delete(db);
  else forced.set(db, path);
}

async function detect(db: DbExecutor): Promise<VectorPathInfo> {
  let extension = await findVectorExtension(db);
  if (!extension.isAvailable) {
    return { path: "exact", extensionVersion: null, reason: "the vector extension is not installed on this PostgreSQL server" };
  }
  if (!extension.installedVersion) {
    try {
      await db.execute(sql`create extension if not exists vector`);
    } catch (error) {
      return {
        path: "exact",
        extensionVersion: null,
        reason: `the vector extension could not be created: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    extension = await findVectorExtension(db);
  }
  await db.execute(sql`
    create table if not exists knowledge_chunk_vectors (
      chunk_id uuid primary key references knowledge_chunks(id) on delete cascade,
      knowledge_base_id uuid not null references knowledge_bases(id) on delete cascade,
      generation integer not null,
      embedding vector not null
    )`);
  return { path: "pgvector", extensionVersion: extension.installedVersion, reason: null };
}

/** The path of this database, detected once per process (and per database object). */
export async function vectorPathInfo(db: DbExecutor): Promise<VectorPathInfo> {
  const force = forced.get(db);
  let info = detected.get(db);
  if (!info) {
    info = detect(db);
    detected.set(db, info);
    info.catch(() => detected.delete(db));
  }
  const resolved = await info;
  if (force === "exact") return { path: "exact", extensionVersion: resolved.extensionVersion, reason: "forced" };
  return resolved;
}

/**
 * What system.info reports: the detected path if this process detected it, else what the database
 * says without changing it (system.info is public; it never creates the extension itself).
 */
export async function describeVectorPath(db: DbExecutor): Promise<VectorPathInfo> {
  if (detected.has(db)) return vectorPathInfo(db);
  let peek = peeked.get(db);
  if (!peek) {
    peek = peekVectorPath(db);
    peeked.set(db, peek);
    peek.catch(() => peeked.delete(db));
  }
  return peek;
}

/** Read once per process: extensions come and go with a server upgrade, which restarts GatheRing anyway. */
const peeked = new WeakMap<object, Promise<VectorPathInfo>>();

async function peekVectorPath(db: DbExecutor): Promise<VectorPathInfo> {
  const extension = await findVectorExtension(db);
  if (extension.installedVersion) return { path: "pgvector", extensionVersion: extension.installedVersion, reason: null };
  return {
    path: "exact",
    extensionVersion: null,
    reason: extension.isAvailable
      ? "the vector extension is available and is created on the first knowledge search or ingestion"
      : "the vector extension is not installed on this PostgreSQL server",
  };
}

export async function activeVectorPath(db: DbExecutor): Promise<VectorPath> {
  return (await vectorPathInfo(db)).path;
}

function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector, (value) => (Number.isFinite(value) ? value : 0)).join(",")}]`;
}

/** Mirrors chunks into the pgvector side table (inside the caller's ingestion transaction). */
export async function mirrorChunkVectors(
  db: DbExecutor,
  rows: ReadonlyArray<{ chunkId: string; knowledgeBaseId: string; generation: number; embedding: Float32Array }>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += 200) {
    const values = rows
      .slice(start, start + 200)
      .map(
        (row) => sql`(${row.chunkId}::uuid, ${row.knowledgeBaseId}::uuid, ${row.generation}::int, ${vectorLiteral(row.embedding)}::vector)`,
      );
    await db.execute(
      sql`insert into knowledge_chunk_vectors (chunk_id, knowledge_base_id, generation, embedding) values ${sql.join(values, sql`, `)} on conflict (chunk_id) do nothing`,
    );
  }
}

const prepared = new Set<string>();

function indexName(base: IndexedBase): string {
  return `knowledge_chunk_vectors_hnsw_${base.id.replaceAll("-", "")}_${base.generation}`;
}

/** Fills the side table for a base indexed before the extension appeared, and makes sure its HNSW index exists. */
async function prepareBase(db: DbExecutor, base: IndexedBase): Promise<void> {
  const key = `${base.id}:${base.generation}`;
  if (prepared.has(key)) return;
  for (;;) {
    const missing = await db.execute<{ id: string; embedding: Buffer }>(sql`
      select c.id, c.embedding from knowledge_chunks c
      where c.knowledge_base_id = ${base.id} and c.generation = ${base.generation}
        and not exists (select 1 from knowledge_chunk_vectors v where v.chunk_id = c.id)
      limit 2000`);
    if (missing.length === 0) break;
    await mirrorChunkVectors(
      db,
      missing.map((row) => ({
        chunkId: row.id,
        knowledgeBaseId: base.id,
        generation: base.generation,
        embedding: bytesToVector(row.embedding),
      })),
    );
  }
  // Identifiers cannot be bound parameters; the name is built from a uuid and an integer only.
  await db.execute(
    sql.raw(
      `create index if not exists ${indexName(base)} on knowledge_chunk_vectors using hnsw ((embedding::vector(${Math.floor(base.dimensions)})) vector_cosine_ops) where knowledge_base_id = '${base.id.replace(/[^0-9a-f-]/gi, "")}' and generation = ${Math.floor(base.generation)}`,
    ),
  );
  prepared.add(key);
}

/** The nearest chunks by cosine distance through the base's HNSW index. */
export async function pgvectorSearch(db: DbExecutor, base: IndexedBase, query: Float32Array, limit: number) {
  await prepareBase(db, base);
  const dimensions = Math.floor(base.dimensions);
  const literal = vectorLiteral(query);
  const run = async (tx: DbExecutor) => {
    // HNSW returns at most ef_search rows; ask for enough candidates.
    await tx.execute(sql`select set_config('hnsw.ef_search', ${String(Math.min(1000, Math.max(40, limit)))}, true)`);
    return tx.execute<{ chunk_id: string; distance: number }>(sql`
      select chunk_id, (embedding::vector(${sql.raw(String(dimensions))}) <=> ${literal}::vector(${sql.raw(String(dimensions))})) as distance
      from knowledge_chunk_vectors
      where knowledge_base_id = ${base.id} and generation = ${base.generation}
      order by embedding::vector(${sql.raw(String(dimensions))}) <=> ${literal}::vector(${sql.raw(String(dimensions))})
      limit ${limit}`);
  };
  const rows = await (db as Database).transaction(run);
  return rows.map((row) => ({ id: row.chunk_id, similarity: 1 - Number(row.distance) }));
}
