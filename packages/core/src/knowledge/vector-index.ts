/**
 * Exact vector search without an extension: an in-process index per knowledge base, the normalised
 * vectors in one flat block of memory scored with a dot product (WebAssembly SIMD, in two passes
 * over large bases: int8 bounds, then float32 for the rows they leave; see dot-kernel.ts). Why in
 * process and not SQL over arrays: an exact scan of 100,000 x 384 floats costs PostgreSQL hundreds of
 * milliseconds (unnest, per-row array decoding); here it costs about 2 ms, where the plain JS loop this
 * replaced took about 50.
 *
 * The index is a cache, never the truth:
 * - it is keyed by the base's (generation, dimensions); a re-index switch builds a new one;
 * - `content_version` changes in every transaction that adds or removes chunks; the index then loads
 *   the rows after the last `seq` it has (ingestion bumps the version first, under the base's row lock,
 *   so one base's chunks commit in seq order and none is skipped);
 * - removed chunks stay in the array until found missing: search checks every candidate against the
 *   live chunk rows in SQL, so a deleted document disappears from results at once, and the ids found
 *   missing are marked dead and skipped from then on.
 */
import { type DbExecutor, loadChunkVectors } from "@gathering/db";
import { VectorStore } from "./dot-kernel";

interface BaseIndex {
  generation: number;
  dimensions: number;
  contentVersion: number;
  lastSeq: number;
  ids: string[];
  store: VectorStore;
  count: number;
  dead: Uint8Array;
  deadCount: number;
  /** One refresh at a time per base; concurrent searches wait for it. */
  loading: Promise<void> | null;
}

export interface IndexedBase {
  id: string;
  generation: number;
  dimensions: number;
  contentVersion: number;
}

const pageSize = 10_000;
/** Bases kept in memory; the least recently searched is dropped beyond this. */
const maxBases = 64;

export class ExactVectorIndex {
  private readonly bases = new Map<string, BaseIndex>();

  private fresh(base: IndexedBase): BaseIndex {
    return {
      generation: base.generation,
      dimensions: base.dimensions,
      contentVersion: -1,
      lastSeq: 0,
      ids: [],
      store: new VectorStore(base.dimensions),
      count: 0,
      dead: new Uint8Array(0),
      deadCount: 0,
      loading: null,
    };
  }

  private async refresh(db: DbExecutor, base: IndexedBase): Promise<BaseIndex> {
    let index = this.bases.get(base.id);
    // Too many dead rows: rebuilding is cheaper than scanning them forever.
    if (
      !index ||
      index.generation !== base.generation ||
      index.dimensions !== base.dimensions ||
      index.deadCount > index.count / 4 + 1000
    ) {
      index = this.fresh(base);
    }
    this.bases.delete(base.id);
    this.bases.set(base.id, index);
    while (this.bases.size > maxBases) {
      const oldest = this.bases.keys().next().value;
      if (oldest === undefined) break;
      this.bases.delete(oldest);
    }
    while (index.contentVersion !== base.contentVersion) {
      if (index.loading) {
        await index.loading;
        continue;
      }
      const target = index;
      target.loading = (async () => {
        try {
          for (;;) {
            const rows = await loadChunkVectors(db, {
              knowledgeBaseId: base.id,
              generation: base.generation,
              afterSeq: target.lastSeq,
              limit: pageSize,
            });
            if (rows.length === 0) break;
            this.append(target, rows);
            if (rows.length < pageSize) break;
          }
          target.contentVersion = base.contentVersion;
        } finally {
          target.loading = null;
        }
      })();
      await target.loading;
    }
    return index;
  }

  private append(index: BaseIndex, rows: Array<{ id: string; seq: number; embedding: Buffer }>) {
    const needed = index.count + rows.length;
    if (needed > index.store.rowCapacity) {
      index.store.reserve(needed);
      const dead = new Uint8Array(index.store.rowCapacity);
      dead.set(index.dead.subarray(0, index.count));
      index.dead = dead;
    }
    const bytes = index.dimensions * 4;
    for (const row of rows) {
      index.lastSeq = Math.max(index.lastSeq, row.seq);
      if (row.embedding.byteLength !== bytes) continue;
      index.store.writeBytes(index.count, row.embedding);
      index.ids.push(row.id);
      index.count += 1;
    }
  }

  /** The `limit` nearest chunk ids by cosine similarity (vectors are normalised: a dot product). */
  async search(db: DbExecutor, base: IndexedBase, query: Float32Array, limit: number): Promise<Array<{ id: string; similarity: number }>> {
    const index = await this.refresh(db, base);
    const { dimensions, count, dead } = index;
    if (query.length !== dimensions || limit <= 0) return [];
    const nearest = index.store.nearest(query, count, limit, index.deadCount > 0 ? dead : null);
    return nearest.rows.map((row, rank) => ({ id: index.ids[row] as string, similarity: nearest.scores[rank] as number }));
  }

  /** Marks chunks found missing by the live check, so later scans skip them. */
  markDead(baseId: string, ids: ReadonlySet<string>) {
    const index = this.bases.get(baseId);
    if (!index || ids.size === 0) return;
    for (let row = 0; row < index.count; row += 1) {
      if (!index.dead[row] && ids.has(index.ids[row] as string)) {
        index.dead[row] = 1;
        index.deadCount += 1;
      }
    }
  }

  size(baseId: string): number {
    const index = this.bases.get(baseId);
    return index ? index.count - index.deadCount : 0;
  }

  clear() {
    this.bases.clear();
  }
}

/** The process's index (each web and worker process keeps its own; the database is the truth). */
export const exactVectorIndex = new ExactVectorIndex();
