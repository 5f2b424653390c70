/**
 * The built-in offline embedder: a deterministic hashed bag of words and character trigrams, L2
 * normalised. It needs no key and no network, so memory recall (and later knowledge search) works on
 * a fresh install; it captures shared vocabulary, not meaning, and is labelled as such.
 */
import { createHash } from "node:crypto";

export const localEmbeddingModel = "local-hash-256";
export const localEmbeddingDimensions = 256;

function bucket(feature: string): { index: number; sign: number } {
  const digest = createHash("sha1").update(feature).digest();
  return { index: digest.readUInt16BE(0) % localEmbeddingDimensions, sign: (digest[2] ?? 0) & 1 ? 1 : -1 };
}

export function tokenize(text: string): string[] {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

export function embedLocal(text: string): number[] {
  const vector = new Array<number>(localEmbeddingDimensions).fill(0);
  for (const word of tokenize(text)) {
    const whole = bucket(`w:${word}`);
    vector[whole.index] = (vector[whole.index] ?? 0) + whole.sign * 2;
    const padded = ` ${word} `;
    for (let start = 0; start + 3 <= padded.length; start += 1) {
      const gram = bucket(`g:${padded.slice(start, start + 3)}`);
      vector[gram.index] = (vector[gram.index] ?? 0) + gram.sign;
    }
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const x = a[index] ?? 0;
    const y = b[index] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
