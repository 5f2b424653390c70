/**
 * Embedders for knowledge bases: OpenAI's embeddings API (official SDK, the project's key and base URL),
 * Ollama's `/api/embed` (the project's Ollama base URL), and the built-in offline embedder (the same
 * deterministic hashed bag of words agent memory uses, so a fresh install indexes with no key). Every
 * vector comes back L2-normalised as a Float32Array, so cosine similarity is a dot product.
 */
import { createHash } from "node:crypto";
import { type DbExecutor, findProjectModelSettings } from "@gathering/db";
import OpenAI from "openai";
import { z } from "zod";
import { AppError } from "../errors";
import { defaultOllamaBaseUrl } from "../llm/adapters/ollama";
import { defaultBaseUrls } from "../llm/adapters/openai";
import { localEmbeddingDimensions, localEmbeddingModel, tokenize } from "../llm/embeddings";
import type { Keyring } from "../security/encryption";
import { readProviderApiKey, ZProviderSettings } from "../settings/provider-settings";

export const embeddingProviders = ["local", "openai", "ollama"] as const;
export type EmbeddingProvider = (typeof embeddingProviders)[number];

export interface EmbeddingModelInfo {
  provider: EmbeddingProvider;
  model: string;
  dimensions: number;
  label: string;
  /** Needs no key and no network; vectors capture shared vocabulary, not meaning. */
  isOffline: boolean;
}

/** The models the dashboard offers; others of the same providers may be named with their dimensions. */
export const embeddingModels: readonly EmbeddingModelInfo[] = [
  {
    provider: "local",
    model: localEmbeddingModel,
    dimensions: localEmbeddingDimensions,
    label: "Built-in offline embedder (deterministic word hashing: matches shared words, not meaning)",
    isOffline: true,
  },
  { provider: "openai", model: "text-embedding-3-small", dimensions: 1536, label: "OpenAI text-embedding-3-small", isOffline: false },
  { provider: "openai", model: "text-embedding-3-large", dimensions: 3072, label: "OpenAI text-embedding-3-large", isOffline: false },
  { provider: "ollama", model: "nomic-embed-text", dimensions: 768, label: "Ollama nomic-embed-text", isOffline: false },
  { provider: "ollama", model: "mxbai-embed-large", dimensions: 1024, label: "Ollama mxbai-embed-large", isOffline: false },
  { provider: "ollama", model: "all-minilm", dimensions: 384, label: "Ollama all-minilm", isOffline: false },
];

export const ZEmbeddingChoice = z
  .object({
    provider: z.enum(embeddingProviders),
    model: z.string().trim().min(1).max(200),
    /** Required for a model not in the list; checked against what the provider returns. */
    dimensions: z.number().int().min(8).max(4096).optional(),
  })
  .transform((choice, context) => {
    const known = embeddingModels.find((entry) => entry.provider === choice.provider && entry.model === choice.model);
    if (choice.provider === "local" && !known) {
      context.addIssue({ code: "custom", path: ["model"], message: `The offline embedder is ${localEmbeddingModel}` });
      return z.NEVER;
    }
    const dimensions = choice.dimensions ?? known?.dimensions;
    if (!dimensions) {
      context.addIssue({ code: "custom", path: ["dimensions"], message: "Say how many dimensions this model's vectors have" });
      return z.NEVER;
    }
    if (known && dimensions !== known.dimensions && choice.provider === "local") {
      context.addIssue({ code: "custom", path: ["dimensions"], message: `${known.model} has ${known.dimensions} dimensions` });
      return z.NEVER;
    }
    return { provider: choice.provider, model: choice.model, dimensions };
  });
export type EmbeddingChoice = z.output<typeof ZEmbeddingChoice>;

export interface Embedder {
  provider: EmbeddingProvider;
  model: string;
  dimensions: number;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export function normalise(vector: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(vector);
  let norm = 0;
  for (let index = 0; index < out.length; index += 1) norm += (out[index] ?? 0) ** 2;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let index = 0; index < out.length; index += 1) out[index] = (out[index] ?? 0) / norm;
  return out;
}

function checked(choice: EmbeddingChoice, vectors: ArrayLike<number>[], expected: number): Float32Array[] {
  if (vectors.length !== expected) {
    throw new AppError("UNAVAILABLE", `${choice.provider} returned ${vectors.length} embeddings for ${expected} texts`, {
      reason: "embedding-count",
    });
  }
  return vectors.map((vector) => {
    if (vector.length !== choice.dimensions) {
      throw new AppError(
        "PRECONDITION_FAILED",
        `${choice.model} returned ${vector.length} dimensions but the knowledge base expects ${choice.dimensions}`,
        { reason: "embedding-dimensions" },
      );
    }
    return normalise(vector);
  });
}

/** Where one word adds to an offline vector: bucket indices and the sums added there. */
interface WordFeatures {
  indices: Uint16Array;
  deltas: Int16Array;
}

/** The bucket and sign of one of `embedLocal`'s features (llm/embeddings.ts): the same SHA-1 bits. */
function featureBucket(feature: string): { index: number; sign: number } {
  const digest = createHash("sha1").update(feature).digest();
  return { index: digest.readUInt16BE(0) % localEmbeddingDimensions, sign: (digest[2] ?? 0) & 1 ? 1 : -1 };
}

/** A word's whole-word feature (weight 2) and its character trigrams with the word padded by spaces (weight 1). */
function wordFeatures(word: string): WordFeatures {
  const sums = new Map<number, number>();
  const add = (feature: string, weight: number) => {
    const { index, sign } = featureBucket(feature);
    sums.set(index, (sums.get(index) ?? 0) + sign * weight);
  };
  add(`w:${word}`, 2);
  const padded = ` ${word} `;
  for (let start = 0; start + 3 <= padded.length; start += 1) add(`g:${padded.slice(start, start + 3)}`, 1);
  return { indices: Uint16Array.from(sums.keys()), deltas: Int16Array.from(sums.values()) };
}

/**
 * `embedLocal` for many texts at once, with the same result bit for bit (the tests hold it to that):
 * a word's features are hashed once per call instead of at every occurrence, which is most of the
 * work (a document repeats its words; a 700 kB one has some 100,000 words and a tenth as many distinct).
 * The sums are small integers, exact in any order; the norm and the division are done as embedLocal does.
 */
export function embedLocalBatch(texts: readonly string[]): Float32Array[] {
  const known = new Map<string, WordFeatures>();
  const sums = new Float64Array(localEmbeddingDimensions);
  return texts.map((text) => {
    sums.fill(0);
    for (const word of tokenize(text)) {
      let features = known.get(word);
      if (!features) {
        features = wordFeatures(word);
        known.set(word, features);
      }
      const { indices, deltas } = features;
      for (let index = 0; index < indices.length; index += 1) {
        const bucket = indices[index] as number;
        sums[bucket] = (sums[bucket] as number) + (deltas[index] as number);
      }
    }
    const vector = Array.from(sums);
    const norm = Math.hypot(...vector);
    return Float32Array.from(norm === 0 ? vector : vector.map((value) => value / norm));
  });
}

export const localEmbedder: Embedder = {
  provider: "local",
  model: localEmbeddingModel,
  dimensions: localEmbeddingDimensions,
  async embed(texts) {
    return embedLocalBatch(texts);
  },
};

/** Texts per request: OpenAI takes up to 2,048 inputs; smaller batches keep progress ticks and retries cheap. */
const batchSize = 64;

async function inBatches(texts: readonly string[], call: (batch: string[]) => Promise<Float32Array[]>): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += batchSize) out.push(...(await call(texts.slice(start, start + batchSize))));
  return out;
}

function providerFailure(provider: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError(
    "UNAVAILABLE",
    `${provider} embeddings failed: ${message.slice(0, 500)}`,
    { reason: "embedding-provider" },
    { cause: error },
  );
}

export function createOpenAiEmbedder(choice: EmbeddingChoice, options: { apiKey: string; baseUrl?: string | null }): Embedder {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl ?? defaultBaseUrls.openai, maxRetries: 1, timeout: 60_000 });
  return {
    provider: "openai",
    model: choice.model,
    dimensions: choice.dimensions,
    embed: (texts, signal) =>
      inBatches(texts, async (batch) => {
        try {
          const response = await client.embeddings.create(
            // text-embedding-3 models shorten their vectors on request; older ones refuse the parameter.
            {
              model: choice.model,
              input: batch,
              encoding_format: "float",
              ...(choice.model.startsWith("text-embedding-3") ? { dimensions: choice.dimensions } : {}),
            },
            signal ? { signal } : undefined,
          );
          const ordered = [...response.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
          return checked(choice, ordered, batch.length);
        } catch (error) {
          throw providerFailure("OpenAI", error);
        }
      }),
  };
}

const ZOllamaEmbedResponse = z.object({ embeddings: z.array(z.array(z.number())) });

export function createOllamaEmbedder(choice: EmbeddingChoice, options: { baseUrl?: string | null }): Embedder {
  const baseUrl = (options.baseUrl ?? defaultOllamaBaseUrl).replace(/\/+$/, "");
  return {
    provider: "ollama",
    model: choice.model,
    dimensions: choice.dimensions,
    embed: (texts, signal) =>
      inBatches(texts, async (batch) => {
        try {
          const response = await fetch(`${baseUrl}/api/embed`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: choice.model, input: batch }),
            signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(120_000)]) : AbortSignal.timeout(120_000),
          });
          if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
          const body = ZOllamaEmbedResponse.parse(await response.json());
          return checked(choice, body.embeddings, batch.length);
        } catch (error) {
          throw providerFailure("Ollama", error);
        }
      }),
  };
}

/** The embedder of a knowledge base's model, with the project's provider settings and key. */
export async function loadEmbedder(
  db: DbExecutor,
  keyring: Keyring | undefined,
  projectId: string,
  choice: EmbeddingChoice,
): Promise<Embedder> {
  if (choice.provider === "local") return localEmbedder;
  const stored = await findProjectModelSettings(db, projectId);
  const parsed = ZProviderSettings.safeParse(stored.providers);
  const settings = parsed.success ? parsed.data : ZProviderSettings.parse({});
  if (choice.provider === "ollama") return createOllamaEmbedder(choice, { baseUrl: settings.ollama.baseUrl ?? null });
  if (!keyring) throw new AppError("PRECONDITION_FAILED", "Provider keys cannot be read in this process", { reason: "no-keyring" });
  const apiKey = await readProviderApiKey(db, keyring, { projectId, provider: "openai" });
  if (!apiKey) throw new AppError("PRECONDITION_FAILED", "No API key is set for openai: add one in Settings", { reason: "no-api-key" });
  return createOpenAiEmbedder(choice, { apiKey, baseUrl: settings.openai.baseUrl ?? null });
}

/** Float32 little-endian bytes, the storage form of a vector. */
export function vectorToBytes(vector: Float32Array): Buffer {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index += 1) bytes.writeFloatLE(vector[index] ?? 0, index * 4);
  return bytes;
}

export function bytesToVector(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let index = 0; index < out.length; index += 1) out[index] = view.getFloat32(index * 4, true);
  return out;
}
