/**
 * The inner loops of the exact vector index, in WebAssembly SIMD where the runtime has it (Node has
 * since 16.4), in plain JS where it has not. The vectors live in a WebAssembly.Memory the index appends
 * rows to, so nothing is copied per search.
 *
 * Two passes make a search exact and cheap. A scan of 100,000 x 384 float32 reads 154 MB, and is bound
 * by memory bandwidth (about 7 ms here), so each row also keeps an int8 copy (a quarter of the bytes)
 * with its scale s, the norm of what the rounding lost (e = |v - s·codes|) and its norm n. For a
 * query q, likewise rounded to int16 with scale t (a = |t·codes_q|, b = |q - t·codes_q|), the integer
 * dot product d gives, by Cauchy-Schwarz,
 *     |q·v - t·s·d| <= a·e + b·n,
 * and the float32 sum the exact scan computes differs from q·v by at most g·|q|·n (g from the length of
 * its summation chains), so every row's exact score lies in [t·s·d - bound, t·s·d + bound]. The first
 * pass takes the k-th best lower end L; a row whose upper end is below L cannot be in the top k (k rows
 * score at least L, strictly more than it). The second pass scores the remaining rows with the same
 * float32 kernel, row by row, and selects in row order: the result is the one a full float32 scan
 * gives, ties included (the tests hold it to that). When the bounds leave too many rows (near-identical
 * vectors), it does the full scan instead. Small stores skip the first pass: their scan is in cache.
 *
 * Layout of the float32 memory, in words, for `capacity` rows of `stride` words (the dimensions rounded
 * up to 16, zero padded: zeros add nothing to a dot product, and the loop takes 16 words a turn):
 *   [0, capacity * stride)         the vectors, row after row
 *   [capacity * stride, + stride)  the query of the search in progress
 *   [.., + capacity)               the scores it writes, one per row
 * and of the int8 memory, in bytes, for rows of `codeStride` bytes (rounded up to 32):
 *   [0, capacity * codeStride)     the codes; then the int16 query (2 * codeStride bytes); then one int32 per row.
 * The query and score areas are scratch: a search writes the query and reads the scores without an
 * await in between, so two searches never share them.
 *
 * The module is encoded below by hand (two loops of about 25 instructions each; a toolchain for them
 * would be a heavier dependency than the bytes). In WebAssembly text, the float32 one:
 *
 *   (func (export "scores") (param $vectors i32) (param $query i32) (param $count i32) (param $strideBytes i32) (param $out i32)
 *     (local $j i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $end i32)
 *     (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
 *     (block $done
 *       (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
 *       (loop $rows
 *         (local.set $a (v128.const i32x4 0 0 0 0)) ... $b $c $d likewise
 *         (local.set $j (i32.const 0))
 *         (loop $words
 *           ;; $a += vectors[row][j .. j+4] * query[j .. j+4]; $b, $c, $d at offsets 16, 32, 48 bytes
 *           (local.set $a (f32x4.add (local.get $a) (f32x4.mul
 *             (v128.load offset=0 (i32.add (local.get $vectors) (local.get $j)))
 *             (v128.load offset=0 (i32.add (local.get $query) (local.get $j)))))) ...
 *           (br_if $words (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 64))) (local.get $strideBytes))))
 *         (local.set $a (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
 *         (f32.store (local.get $out) (lane 0 + lane 1 + lane 2 + lane 3 of $a))
 *         (local.set $vectors (i32.add (local.get $vectors) (local.get $strideBytes)))
 *         (br_if $rows (i32.lt_u (local.tee $out (i32.add (local.get $out) (i32.const 4))) (local.get $end))))))
 *
 * and "codes", the same shape over 32 int8 codes a turn: each 16 are widened to two i16x8
 * (i16x8.extend_low/high_i8x16_s) and multiplied with the int16 query by i32x4.dot_i16x8_s into four
 * i32x4 accumulators, the lanes summed into one int32 per row. The query's int16 range is chosen so the
 * sum cannot overflow (|d| <= codeStride * 127 * range < 2^31).
 *
 * Sums are float32, as in pgvector; the tests hold both kernels to a float64 reference.
 */

import { endianness } from "node:os";

/** Words (float32) per row are a multiple of this. */
export const strideWords = 16;
/** Bytes (int8 codes) per row are a multiple of this. */
export const codeStrideBytes = 32;
const pageBytes = 65_536;
const isLittleEndian = endianness() === "LE";

const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Store: 0x36,
  f32Store: 0x38,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Shl: 0x74,
  f32Add: 0x92,
  simd: 0xfd,
  void: 0x40,
  i32: 0x7f,
  v128: 0x7b,
} as const;
const simd = {
  load: [0x00],
  const: [0x0c],
  i32x4ExtractLane: [0x1b],
  f32x4ExtractLane: [0x1f],
  i16x8ExtendLowI8x16S: [0x87, 0x01],
  i16x8ExtendHighI8x16S: [0x88, 0x01],
  i32x4Add: [0xae, 0x01],
  i32x4DotI16x8S: [0xba, 0x01],
  f32x4Add: [0xe4, 0x01],
  f32x4Mul: [0xe6, 0x01],
} as const;

function unsigned(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

/** i32.const with a value in 0..63 (one signed LEB128 byte) or 64..8191 (two). */
function i32Const(value: number): number[] {
  if (value < 64) return [op.i32Const, value];
  return [op.i32Const, (value & 0x7f) | 0x80, value >> 7];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsigned(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  return [...unsigned(bytes.length), ...bytes];
}

// Parameters of both functions, then their locals.
const [base, query, count, strideBytes, out, j, a, b, c, d, end, block] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const get = (local: number) => [op.localGet, local];
const set = (local: number) => [op.localSet, local];
const zero = (local: number) => [op.simd, ...simd.const, ...new Array<number>(16).fill(0), ...set(local)];
// v128.load with alignment 2^4 (a hint only) and a byte offset, from an address already on the stack.
const loadAt = (offset: number) => [op.simd, ...simd.load, 4, ...unsigned(offset)];

/** The row loop both functions share: `inner` runs per turn of `turnBytes` of a row; `finish` stores the row's 4-byte result. */
function rowLoop(inner: number[], turnBytes: number, finish: number[]): number[] {
  return [
    ...get(out),
    ...get(count),
    ...i32Const(2),
    op.i32Shl,
    op.i32Add,
    ...set(end),
    op.block,
    op.void,
    ...get(out),
    ...get(end),
    op.i32GeU,
    op.brIf,
    0,
    op.loop,
    op.void,
    ...zero(a),
    ...zero(b),
    ...zero(c),
    ...zero(d),
    ...i32Const(0),
    ...set(j),
    op.loop,
    op.void,
    ...inner,
    ...get(j),
    ...i32Const(turnBytes),
    op.i32Add,
    op.localTee,
    j,
    ...get(strideBytes),
    op.i32LtU,
    op.brIf,
    0,
    op.end,
    ...finish,
    ...get(base),
    ...get(strideBytes),
    op.i32Add,
    ...set(base),
    ...get(out),
    ...i32Const(4),
    op.i32Add,
    op.localTee,
    out,
    ...get(end),
    op.i32LtU,
    op.brIf,
    0,
    op.end,
    op.end,
    op.end,
  ];
}

function scoresBody(): number[] {
  const accumulate = (accumulator: number, offset: number) => [
    ...get(accumulator),
    ...get(base),
    ...get(j),
    op.i32Add,
    ...loadAt(offset),
    ...get(query),
    ...get(j),
    op.i32Add,
    ...loadAt(offset),
    op.simd,
    ...simd.f32x4Mul,
    op.simd,
    ...simd.f32x4Add,
    ...set(accumulator),
  ];
  const lane = (index: number) => [...get(a), op.simd, ...simd.f32x4ExtractLane, index];
  const finish = [
    ...get(a),
    ...get(b),
    op.simd,
    ...simd.f32x4Add,
    ...get(c),
    ...get(d),
    op.simd,
    ...simd.f32x4Add,
    op.simd,
    ...simd.f32x4Add,
    ...set(a),
    ...get(out),
    ...lane(0),
    ...lane(1),
    op.f32Add,
    ...lane(2),
    op.f32Add,
    ...lane(3),
    op.f32Add,
    op.f32Store,
    2,
    0,
  ];
  const inner = [...accumulate(a, 0), ...accumulate(b, 16), ...accumulate(c, 32), ...accumulate(d, 48)];
  // locals: one i32 ($j), four v128, one i32 ($end)
  return [3, 1, op.i32, 4, op.v128, 1, op.i32, ...rowLoop(inner, 64, finish)];
}

function codesBody(): number[] {
  // The int16 query word for code byte j sits at query + 2j.
  const queryAt = (offset: number) => [...get(query), ...get(j), ...i32Const(1), op.i32Shl, op.i32Add, ...loadAt(offset)];
  const accumulate = (accumulator: number, widen: readonly number[], offset: number) => [
    ...get(accumulator),
    ...get(block),
    op.simd,
    ...widen,
    ...queryAt(offset),
    op.simd,
    ...simd.i32x4DotI16x8S,
    op.simd,
    ...simd.i32x4Add,
    ...set(accumulator),
  ];
  const codesAt = (offset: number) => [...get(base), ...get(j), op.i32Add, ...loadAt(offset), ...set(block)];
  const inner = [
    ...codesAt(0),
    ...accumulate(a, simd.i16x8ExtendLowI8x16S, 0),
    ...accumulate(b, simd.i16x8ExtendHighI8x16S, 16),
    ...codesAt(16),
    ...accumulate(c, simd.i16x8ExtendLowI8x16S, 32),
    ...accumulate(d, simd.i16x8ExtendHighI8x16S, 48),
  ];
  const lane = (index: number) => [...get(a), op.simd, ...simd.i32x4ExtractLane, index];
  const finish = [
    ...get(a),
    ...get(b),
    op.simd,
    ...simd.i32x4Add,
    ...get(c),
    ...get(d),
    op.simd,
    ...simd.i32x4Add,
    op.simd,
    ...simd.i32x4Add,
    ...set(a),
    ...get(out),
    ...lane(0),
    ...lane(1),
    op.i32Add,
    ...lane(2),
    op.i32Add,
    ...lane(3),
    op.i32Add,
    op.i32Store,
    2,
    0,
  ];
  // locals: one i32 ($j), four v128, one i32 ($end), one v128 ($block)
  return [4, 1, op.i32, 4, op.v128, 1, op.i32, 1, op.v128, ...rowLoop(inner, 32, finish)];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const bodies = [scoresBody(), codesBody()];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    // type 0: (i32 i32 i32 i32 i32) -> ()
    ...section(1, [1, 0x60, 5, op.i32, op.i32, op.i32, op.i32, op.i32, 0]),
    // import env.memory, a memory of at least 0 pages
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 0]),
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name("scores"), 0x00, 0, ...name("codes"), 0x00, 1]),
    ...section(10, [2, ...bodies.flatMap((body) => [...unsigned(body.length), ...body])]),
  ];
  return new Uint8Array(bytes);
}

type RowFunction = (base: number, query: number, count: number, strideBytes: number, out: number) => void;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled SIMD module, or null where the runtime lacks WebAssembly SIMD. */
function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory) {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as { scores: RowFunction; codes: RowFunction };
}

/** A float32 at least `value` (fround rounds to nearest, so a relative 2^-23 up covers it). */
function roundedUp(value: number): number {
  return Math.fround(value * (1 + 2 ** -22));
}

export type DotKernel = "simd" | "js";

/** Which kernel new stores use; tests switch to "js" to hold the fallback to the same results. */
let preferred: DotKernel = "simd";
/** Stores with at least this many bytes of float32 vectors search in two passes (below, the scan is in cache). */
let twoPassFromBytes = 8 * 1024 * 1024;

export function preferDotKernel(kernel: DotKernel) {
  preferred = kernel;
}

/** Tests lower it to 0 to run the two-pass search on small stores. */
export function setTwoPassThreshold(bytes: number) {
  twoPassFromBytes = bytes;
}

export interface Nearest {
  rows: number[];
  scores: number[];
  /** How the search went: one float32 pass, or two (with how many rows the second scored). */
  passes: { kind: "full" } | { kind: "two-pass"; rescored: number };
}

/** The best `limit` (score, row) pairs in the order the full scan ranks them: higher score first, then lower row. */
class TopK {
  readonly scores: Float64Array;
  readonly rows: Int32Array;
  bar = Number.NEGATIVE_INFINITY;

  constructor(readonly limit: number) {
    this.scores = new Float64Array(limit).fill(Number.NEGATIVE_INFINITY);
    this.rows = new Int32Array(limit).fill(-1);
  }

  /** Rows must come in ascending order; NaN never passes the bar. */
  offer(row: number, score: number) {
    if (!(score > this.bar)) return;
    const { scores, rows } = this;
    let slot = this.limit - 1;
    while (slot > 0 && (scores[slot - 1] as number) < score) {
      scores[slot] = scores[slot - 1] as number;
      rows[slot] = rows[slot - 1] as number;
      slot -= 1;
    }
    scores[slot] = score;
    rows[slot] = row;
    this.bar = scores[this.limit - 1] as number;
  }

  result(passes: Nearest["passes"]): Nearest {
    const out: Nearest = { rows: [], scores: [], passes };
    for (let slot = 0; slot < this.limit; slot += 1) {
      const row = this.rows[slot] as number;
      if (row < 0) break;
      out.rows.push(row);
      out.scores.push(this.scores[slot] as number);
    }
    return out;
  }
}

/** Normalised vectors of one dimension in WebAssembly memory, searched for the nearest to a query. */
export class VectorStore {
  readonly dimensions: number;
  readonly stride: number;
  readonly codeStride: number;
  readonly kernel: DotKernel;
  private readonly memory = new WebAssembly.Memory({ initial: 0 });
  private readonly codesMemory: WebAssembly.Memory | null;
  private readonly scoresFunction: RowFunction | null;
  private readonly codesFunction: RowFunction | null;
  private capacity = 0;
  private words = new Float32Array(0);
  private bytes = new Uint8Array(0);
  private codes = new Int8Array(0);
  /**
   * Per row: the int8 scale (a float32, the codes are rounded with it), the norm of the rounding
   * residual (Infinity for a vector with a non-finite part) and the norm, both rounded up to float32.
   */
  private scale = new Float32Array(0);
  private residual = new Float32Array(0);
  private norm = new Float32Array(0);
  /** Scratch of the two-pass search: the rows the first pass leaves, and their upper bounds. */
  private candidates = new Int32Array(0);
  private candidateUppers = new Float64Array(0);

  constructor(dimensions: number) {
    this.dimensions = dimensions;
    this.stride = Math.max(strideWords, Math.ceil(dimensions / strideWords) * strideWords);
    this.codeStride = Math.max(codeStrideBytes, Math.ceil(dimensions / codeStrideBytes) * codeStrideBytes);
    const module = preferred === "simd" ? simdModule() : null;
    this.codesMemory = module ? new WebAssembly.Memory({ initial: 0 }) : null;
    this.scoresFunction = module ? instantiate(module, this.memory).scores : null;
    this.codesFunction = module && this.codesMemory ? instantiate(module, this.codesMemory).codes : null;
    this.kernel = this.scoresFunction ? "simd" : "js";
  }

  get rowCapacity(): number {
    return this.capacity;
  }

  private static grow(memory: WebAssembly.Memory, bytes: number) {
    const pages = Math.ceil(bytes / pageBytes) - memory.buffer.byteLength / pageBytes;
    if (pages > 0) memory.grow(pages);
  }

  private static widened<T extends Float32Array | Int32Array>(array: T, length: number, keep: number): T {
    const grown = new (array.constructor as new (length: number) => T)(length);
    grown.set(array.subarray(0, keep));
    return grown;
  }

  /** Room for `rows` vectors; what is stored stays (the memories grow in place). */
  reserve(rows: number) {
    if (rows <= this.capacity) return;
    const old = this.capacity;
    const capacity = Math.max(rows, Math.ceil(old * 1.5), 1024);
    VectorStore.grow(this.memory, (capacity * this.stride + this.stride + capacity) * 4);
    this.words = new Float32Array(this.memory.buffer);
    this.bytes = new Uint8Array(this.memory.buffer);
    // The old scratch areas lie where the new rows go: zero them, so padding stays zero.
    this.words.fill(0, old * this.stride);
    if (this.codesMemory) {
      VectorStore.grow(this.codesMemory, capacity * this.codeStride + this.codeStride * 2 + capacity * 4);
      this.codes = new Int8Array(this.codesMemory.buffer);
      this.codes.fill(0, old * this.codeStride);
      this.scale = VectorStore.widened(this.scale, capacity, old);
      this.residual = VectorStore.widened(this.residual, capacity, old);
      this.norm = VectorStore.widened(this.norm, capacity, old);
      this.candidates = new Int32Array(capacity);
      this.candidateUppers = new Float64Array(capacity);
    }
    this.capacity = capacity;
  }

  /** Writes a vector of `dimensions` words to row `row` (below the reserved capacity). */
  write(row: number, vector: Float32Array) {
    this.words.set(vector, row * this.stride);
    this.quantize(row);
  }

  /** Writes row `row` from the storage form, little-endian float32 bytes (`dimensions * 4` of them). */
  writeBytes(row: number, bytes: Uint8Array) {
    if (isLittleEndian) this.bytes.set(bytes, row * this.stride * 4);
    else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const offset = row * this.stride;
      for (let index = 0; index < this.dimensions; index += 1) this.words[offset + index] = view.getFloat32(index * 4, true);
    }
    this.quantize(row);
  }

  /** The row's int8 codes, scale, residual norm and norm (float64 sums of float32 values: exact enough, see the bound's margin). */
  private quantize(row: number) {
    if (!this.codesMemory) return;
    const { words, codes, dimensions } = this;
    const offset = row * this.stride;
    const end = offset + dimensions;
    let largest = 0;
    let norm = 0;
    for (let index = offset; index < end; index += 1) {
      const value = words[index] as number;
      const magnitude = value < 0 ? -value : value;
      if (magnitude > largest) largest = magnitude;
      norm += value * value;
    }
    const codesAt = row * this.codeStride;
    // NaN or infinity anywhere makes the sum of squares NaN or infinite.
    if (!Number.isFinite(norm) || largest === 0) {
      // Codes of zero; a non-finite vector is always left for the exact pass (its bound is infinite).
      codes.fill(0, codesAt, codesAt + dimensions);
      this.scale[row] = 0;
      this.residual[row] = norm === 0 ? 0 : Number.POSITIVE_INFINITY;
      this.norm[row] = norm === 0 ? 0 : Number.POSITIVE_INFINITY;
      return;
    }
    const scale = Math.fround(largest / 127);
    // Any codes give a valid bound as long as the residual is measured from them; these round to nearest.
    const inverse = 1 / scale;
    let residual = 0;
    for (let index = 0; index < dimensions; index += 1) {
      const value = words[offset + index] as number;
      let code = Math.round(value * inverse);
      if (code > 127) code = 127;
      else if (code < -127) code = -127;
      codes[codesAt + index] = code;
      const lost = value - code * scale;
      residual += lost * lost;
    }
    this.scale[row] = scale;
    this.residual[row] = roundedUp(Math.sqrt(residual));
    this.norm[row] = roundedUp(Math.sqrt(norm));
  }

  /** Float32 scores of rows [0, count) against `query` (of `dimensions` words); valid until the next call. */
  scores(query: Float32Array, count: number): Float32Array {
    if (count <= 0) return new Float32Array(0);
    if (count > this.capacity) throw new RangeError(`${count} rows asked for, ${this.capacity} reserved`);
    const { stride, words } = this;
    const queryAt = this.capacity * stride;
    const scoresAt = queryAt + stride;
    words.set(query, queryAt);
    const out = words.subarray(scoresAt, scoresAt + count);
    if (this.scoresFunction) {
      this.scoresFunction(0, queryAt * 4, count, stride * 4, scoresAt * 4);
      return out;
    }
    const dimensions = this.dimensions;
    for (let row = 0; row < count; row += 1) {
      const offset = row * stride;
      let a = 0;
      let b = 0;
      let c = 0;
      let e = 0;
      let d = 0;
      for (; d + 3 < dimensions; d += 4) {
        a += (words[offset + d] as number) * (words[queryAt + d] as number);
        b += (words[offset + d + 1] as number) * (words[queryAt + d + 1] as number);
        c += (words[offset + d + 2] as number) * (words[queryAt + d + 2] as number);
        e += (words[offset + d + 3] as number) * (words[queryAt + d + 3] as number);
      }
      for (; d < dimensions; d += 1) a += (words[offset + d] as number) * (words[queryAt + d] as number);
      out[row] = a + b + c + e;
    }
    return out;
  }

  /**
   * The `limit` rows of [0, count) with the highest float32 score, best first (ties: the lower row),
   * skipping rows marked in `dead`: the same rows and scores as one full scan, by the two passes above
   * when the store is large enough.
   */
  nearest(query: Float32Array, count: number, limit: number, dead: Uint8Array | null, options: { twoPass?: boolean } = {}): Nearest {
    const top = new TopK(Math.max(1, limit));
    if (count <= 0 || limit <= 0) return top.result({ kind: "full" });
    const twoPass = options.twoPass ?? count * this.stride * 4 >= twoPassFromBytes;
    const bounded = twoPass && count > limit ? this.twoPass(query, count, limit, dead, top) : null;
    if (bounded) return bounded;
    const scores = this.scores(query, count);
    for (let row = 0; row < count; row += 1) {
      if (dead?.[row]) continue;
      top.offer(row, scores[row] as number);
    }
    return top.result({ kind: "full" });
  }

  /**
   * The query's int16 codes and integer dot products with every row, and what the bound needs; null
   * where the two passes cannot run (no SIMD, a query with a non-finite part, or all zero).
   */
  private firstPass(query: Float32Array, count: number) {
    const { codesFunction, codesMemory } = this;
    if (!codesFunction || !codesMemory || !this.scoresFunction) return null;
    const { dimensions, codeStride } = this;
    let largest = 0;
    let queryNorm = 0;
    for (let index = 0; index < dimensions; index += 1) {
      const value = query[index] as number;
      if (!Number.isFinite(value)) return null;
      if (Math.abs(value) > largest) largest = Math.abs(value);
      queryNorm += value * value;
    }
    if (largest === 0) return null;
    queryNorm = Math.sqrt(queryNorm);
    // The int16 range that keeps |sum of codeStride products| below 2^31.
    const range = Math.min(32_767, Math.floor((2 ** 31 - 1) / (127 * codeStride)));
    const queryScale = largest / range;
    const queryAt = this.capacity * codeStride;
    const outAt = queryAt + codeStride * 2;
    const queryCodes = new Int16Array(codesMemory.buffer, queryAt, codeStride);
    let kept = 0;
    let lost = 0;
    for (let index = 0; index < dimensions; index += 1) {
      const value = query[index] as number;
      const code = Math.round(value / queryScale);
      queryCodes[index] = code;
      kept += (code * queryScale) ** 2;
      lost += (value - code * queryScale) ** 2;
    }
    codesFunction(0, queryAt, count, codeStride, outAt);
    return {
      dots: new Int32Array(codesMemory.buffer, outAt, count),
      queryScale,
      keptNorm: Math.sqrt(kept),
      // b plus the float32 summation error of the exact kernel (chains of stride/16 + 4 additions, each
      // product and sum rounded, at most (stride/16 + 6) * 2^-24 * |q| * |v|), doubled.
      perNorm: Math.sqrt(lost) + (this.stride / 16 + 8) * 2 ** -23 * queryNorm,
    };
  }

  /** Half the width of a row's interval around its approximate score, with margins for the float64 arithmetic here. */
  private static bound(approximate: number, keptNorm: number, perNorm: number, residual: number, norm: number): number {
    return (keptNorm * residual + perNorm * norm) * (1 + 1e-9) + (Math.abs(approximate) + 1) * 1e-12;
  }

  /** What the first pass knows of each row's exact float32 score: an interval holding it (the tests check that it does). */
  intervals(query: Float32Array, count: number): { lower: Float64Array; upper: Float64Array } | null {
    const first = this.firstPass(query, count);
    if (!first) return null;
    const lower = new Float64Array(count);
    const upper = new Float64Array(count);
    for (let row = 0; row < count; row += 1) {
      const approximate = (first.dots[row] as number) * first.queryScale * (this.scale[row] as number);
      const bound = VectorStore.bound(approximate, first.keptNorm, first.perNorm, this.residual[row] as number, this.norm[row] as number);
      lower[row] = approximate - bound;
      upper[row] = approximate + bound;
    }
    return { lower, upper };
  }

  /** The two-pass search, or null when it cannot help (see firstPass; or the bounds leave too many rows). */
  private twoPass(query: Float32Array, count: number, limit: number, dead: Uint8Array | null, top: TopK): Nearest | null {
    const first = this.firstPass(query, count);
    if (!first) return null;
    const { dots, queryScale, keptNorm, perNorm } = first;
    const { scale, residual, norm, candidates, candidateUppers } = this;
    // First pass: every row's interval; the limit-th best lower end so far is a floor that only rises,
    // so a row whose upper end is below it when it is seen stays out.
    const lowers = new TopK(limit);
    let seen = 0;
    for (let row = 0; row < count; row += 1) {
      if (dead?.[row]) continue;
      const approximate = (dots[row] as number) * queryScale * (scale[row] as number);
      const bound = VectorStore.bound(approximate, keptNorm, perNorm, residual[row] as number, norm[row] as number);
      const upper = approximate + bound;
      lowers.offer(row, approximate - bound);
      if (upper >= lowers.bar) {
        candidates[seen] = row;
        candidateUppers[seen] = upper;
        seen += 1;
      }
    }
    const floor = lowers.bar;
    if (!(floor > Number.NEGATIVE_INFINITY)) return null;
    let left = 0;
    for (let index = 0; index < seen; index += 1) {
      if ((candidateUppers[index] as number) >= floor) {
        candidates[left] = candidates[index] as number;
        left += 1;
      }
    }
    if (left > count / 4) return null;
    // Second pass: the exact float32 score of each row left, by the same kernel as the full scan.
    const { words, stride } = this;
    const vectorQueryAt = this.capacity * stride;
    const scoreAt = vectorQueryAt + stride;
    words.set(query, vectorQueryAt);
    for (let index = 0; index < left; index += 1) {
      const row = candidates[index] as number;
      this.scoresFunction?.(row * stride * 4, vectorQueryAt * 4, 1, stride * 4, scoreAt * 4);
      top.offer(row, words[scoreAt] as number);
    }
    return top.result({ kind: "two-pass", rescored: left });
  }
}
