/**
 * The dot-product kernels of the exact vector index: the WebAssembly SIMD one and the plain JS
 * fallback, held to a float64 reference over dimensions that are and are not multiples of the SIMD
 * stride, across growth of the store (the memory grows in place and the scratch areas move); and the
 * two-pass nearest search (int8 bounds, then float32), which must return exactly what one full float32
 * scan returns: the same rows, scores and order, ties and dead rows included, on random, clustered,
 * duplicated, unnormalised and non-finite vectors.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type DotKernel, preferDotKernel, VectorStore } from "./dot-kernel";
import { vectorToBytes } from "./embedders";

function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function vectorOf(next: () => number, dimensions: number): Float32Array {
  return Float32Array.from({ length: dimensions }, () => next() * 2 - 1);
}

function reference(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += (a[index] as number) * (b[index] as number);
  return sum;
}

afterEach(() => preferDotKernel("simd"));

describe.each<DotKernel>(["simd", "js"])("the %s kernel", (kernel) => {
  it("runs as asked (this Node has WebAssembly SIMD)", () => {
    preferDotKernel(kernel);
    expect(new VectorStore(8).kernel).toBe(kernel);
  });

  it.each([1, 3, 16, 17, 100, 384, 1536])("scores every row like a float64 dot product (%i dimensions)", (dimensions) => {
    preferDotKernel(kernel);
    const next = random(dimensions);
    const store = new VectorStore(dimensions);
    const rows = Array.from({ length: 37 }, () => vectorOf(next, dimensions));
    store.reserve(rows.length);
    rows.forEach((vector, row) => {
      if (row % 2 === 0) store.write(row, vector);
      else store.writeBytes(row, vectorToBytes(vector));
    });
    const query = vectorOf(next, dimensions);
    const scores = store.scores(query, rows.length);
    expect(scores.length).toBe(rows.length);
    rows.forEach((vector, row) => {
      expect(Math.abs((scores[row] as number) - reference(vector, query))).toBeLessThan(1e-5 * Math.sqrt(dimensions));
    });
    // Fewer rows than stored: only those are scored.
    expect(store.scores(query, 5).length).toBe(5);
    expect(store.scores(query, 0).length).toBe(0);
  });

  it("keeps what it stored when it grows, with no stale scratch in the new rows", () => {
    preferDotKernel(kernel);
    const dimensions = 20;
    const next = random(7);
    const store = new VectorStore(dimensions);
    const rows: Float32Array[] = [];
    for (let round = 0; round < 4; round += 1) {
      const query = vectorOf(next, dimensions);
      // A search leaves the query and the scores in the scratch areas the next rows will occupy.
      store.scores(query, rows.length);
      const added = Array.from({ length: 700 + round * 500 }, () => vectorOf(next, dimensions));
      store.reserve(rows.length + added.length);
      for (const vector of added) {
        store.write(rows.length, vector);
        rows.push(vector);
      }
      const check = vectorOf(next, dimensions);
      const scores = store.scores(check, rows.length);
      for (const [row, vector] of rows.entries()) {
        expect(Math.abs((scores[row] as number) - reference(vector, check)), `row ${row} after round ${round}`).toBeLessThan(1e-4);
      }
    }
    expect(store.rowCapacity).toBeGreaterThanOrEqual(rows.length);
  });
});

/** What one full float32 scan returns: the best `limit` by score, then by row, live rows only, NaN never. */
function fullScan(store: VectorStore, query: Float32Array, count: number, limit: number, dead: Uint8Array | null) {
  const scores = store.scores(query, count);
  const ranked = Array.from(scores, (score, row) => ({ row, score }))
    .filter(({ row, score }) => !dead?.[row] && !Number.isNaN(score) && score > Number.NEGATIVE_INFINITY)
    .sort((x, y) => y.score - x.score || x.row - y.row)
    .slice(0, limit);
  return { rows: ranked.map((entry) => entry.row), scores: ranked.map((entry) => entry.score) };
}

function normalised(vector: Float32Array): Float32Array {
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function storeOf(rows: Float32Array[], dimensions: number): VectorStore {
  const store = new VectorStore(dimensions);
  store.reserve(rows.length);
  rows.forEach((vector, row) => {
    store.writeBytes(row, vectorToBytes(vector));
  });
  return store;
}

describe("nearest: the two-pass search returns what the full float32 scan returns", () => {
  it("on random unit vectors, with dead rows, leaving few rows for the second pass", () => {
    const dimensions = 384;
    const next = random(42);
    const rows = Array.from({ length: 3000 }, () => normalised(vectorOf(next, dimensions)));
    const store = storeOf(rows, dimensions);
    const dead = new Uint8Array(store.rowCapacity);
    for (let row = 0; row < rows.length; row += 7) dead[row] = 1;
    for (let turn = 0; turn < 30; turn += 1) {
      const query = normalised(vectorOf(next, dimensions));
      const limit = [1, 10, 48, 200][turn % 4] as number;
      const deadRows = turn % 2 === 0 ? dead : null;
      const found = store.nearest(query, rows.length, limit, deadRows, { twoPass: true });
      expect(found.passes.kind).toBe("two-pass");
      if (found.passes.kind === "two-pass") expect(found.passes.rescored).toBeLessThan(rows.length / 10);
      const expected = fullScan(store, query, rows.length, limit, deadRows);
      expect({ rows: found.rows, scores: found.scores }).toEqual(expected);
      expect(store.nearest(query, rows.length, limit, deadRows, { twoPass: false })).toEqual({ ...expected, passes: { kind: "full" } });
    }
  });

  it.each([17, 100, 1536])("on clustered and duplicated vectors (%i dimensions), ties ranked by row", (dimensions) => {
    const next = random(dimensions * 3);
    const centres = Array.from({ length: 5 }, () => normalised(vectorOf(next, dimensions)));
    const rows: Float32Array[] = [];
    for (let row = 0; row < 1500; row += 1) {
      const centre = centres[row % centres.length] as Float32Array;
      // A third are exact copies of their centre (ties), the rest near it.
      rows.push(row % 3 === 0 ? centre : normalised(centre.map((value) => value + (next() - 0.5) * 0.01)));
    }
    const store = storeOf(rows, dimensions);
    for (let turn = 0; turn < 10; turn += 1) {
      const query = turn % 2 === 0 ? (centres[turn % centres.length] as Float32Array) : normalised(vectorOf(next, dimensions));
      const found = store.nearest(query, rows.length, 40, null, { twoPass: true });
      expect({ rows: found.rows, scores: found.scores }).toEqual(fullScan(store, query, rows.length, 40, null));
    }
  });

  it("on unnormalised vectors, zero vectors, NaN and infinite parts, and a zero query", () => {
    const dimensions = 64;
    const next = random(5);
    const rows: Float32Array[] = Array.from({ length: 2000 }, (_, row) =>
      vectorOf(next, dimensions).map((value) => value * 10 ** ((row % 7) - 3)),
    );
    rows[10] = new Float32Array(dimensions);
    rows[20] = vectorOf(next, dimensions).fill(Number.NaN, 3, 4);
    rows[30] = vectorOf(next, dimensions).fill(Number.POSITIVE_INFINITY, 5, 6);
    rows[40] = vectorOf(next, dimensions).fill(Number.NEGATIVE_INFINITY, 5, 6);
    const store = storeOf(rows, dimensions);
    for (let turn = 0; turn < 12; turn += 1) {
      const query = turn === 0 ? new Float32Array(dimensions) : vectorOf(next, dimensions);
      const found = store.nearest(query, rows.length, 25, null, { twoPass: true });
      expect({ rows: found.rows, scores: found.scores }).toEqual(fullScan(store, query, rows.length, 25, null));
    }
  });

  it("gives every row an interval holding its float32 score, nearly tight for a query along a row's rounding residual", () => {
    const dimensions = 96;
    const next = random(77);
    const rows = Array.from({ length: 400 }, () => normalised(vectorOf(next, dimensions)));
    const store = storeOf(rows, dimensions);
    let tightest = 0;
    for (let turn = 0; turn < 40; turn += 1) {
      // The residual of row `turn` as the int8 rounding leaves it: the worst direction for that row's bound.
      const target = rows[turn] as Float32Array;
      const scale = Math.max(...Array.from(target, Math.abs)) / 127;
      const residual = normalised(target.map((value) => value - Math.round(value / scale) * scale));
      const query = turn % 2 === 0 ? residual : normalised(vectorOf(next, dimensions));
      const intervals = store.intervals(query, rows.length);
      if (!intervals) throw new Error("no first pass");
      const scores = store.scores(query, rows.length);
      for (let row = 0; row < rows.length; row += 1) {
        const score = scores[row] as number;
        expect(score, `row ${row}, turn ${turn}`).toBeGreaterThanOrEqual(intervals.lower[row] as number);
        expect(score, `row ${row}, turn ${turn}`).toBeLessThanOrEqual(intervals.upper[row] as number);
      }
      if (turn % 2 === 0) {
        const lower = intervals.lower[turn] as number;
        const upper = intervals.upper[turn] as number;
        const middle = (lower + upper) / 2;
        tightest = Math.max(tightest, Math.abs((scores[turn] as number) - middle) / ((upper - lower) / 2));
      }
    }
    // The score reaches most of the way to an end of its interval: a bound half as wide would not hold.
    expect(tightest).toBeGreaterThan(0.6);
  });

  it("with fewer rows than asked for, and with none", () => {
    const next = random(9);
    const rows = Array.from({ length: 5 }, () => normalised(vectorOf(next, 32)));
    const store = storeOf(rows, 32);
    const query = normalised(vectorOf(next, 32));
    expect(store.nearest(query, 5, 10, null, { twoPass: true }).rows).toEqual(fullScan(store, query, 5, 10, null).rows);
    expect(store.nearest(query, 0, 10, null, { twoPass: true }).rows).toEqual([]);
  });
});
