/**
 * Prices per model in US dollars per million tokens, and the cost of one call in micro-dollars (integers,
 * so sums and budgets are exact). A project can override or add prices in its settings; a dated model
 * name (`gpt-4o-2024-08-06`) takes the price of its longest known prefix (`gpt-4o`).
 */
import { z } from "zod";
import type { ModelProvider, Usage } from "./types";

export const ZModelPrice = z.object({
  inputPerMTok: z.number().min(0).max(10_000),
  outputPerMTok: z.number().min(0).max(10_000),
});
export type ModelPrice = z.infer<typeof ZModelPrice>;

/** Keys are `provider:model`. */
export const defaultPrices: Record<string, ModelPrice> = {
  "openai:gpt-5": { inputPerMTok: 1.25, outputPerMTok: 10 },
  "openai:gpt-5-mini": { inputPerMTok: 0.25, outputPerMTok: 2 },
  "openai:gpt-5-nano": { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  "openai:gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8 },
  "openai:gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  "openai:gpt-4.1-nano": { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  "openai:gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10 },
  "openai:gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  "openai:o3": { inputPerMTok: 2, outputPerMTok: 8 },
  "openai:o4-mini": { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  "anthropic:claude-opus-4": { inputPerMTok: 15, outputPerMTok: 75 },
  "anthropic:claude-sonnet-4": { inputPerMTok: 3, outputPerMTok: 15 },
  "anthropic:claude-haiku-4": { inputPerMTok: 1, outputPerMTok: 5 },
  "anthropic:claude-3-7-sonnet": { inputPerMTok: 3, outputPerMTok: 15 },
  "anthropic:claude-3-5-haiku": { inputPerMTok: 0.8, outputPerMTok: 4 },
  "deepseek:deepseek-chat": { inputPerMTok: 0.27, outputPerMTok: 1.1 },
  "deepseek:deepseek-reasoner": { inputPerMTok: 0.55, outputPerMTok: 2.19 },
};

/** Self-hosted and offline models cost nothing per token. */
const freeProviders: ReadonlySet<ModelProvider> = new Set(["ollama", "local"]);

export interface ResolvedPrice extends ModelPrice {
  /** False when neither the defaults nor the project know this model: its cost counts as 0. */
  known: boolean;
}

export function resolvePrice(provider: ModelProvider, model: string, overrides: Record<string, ModelPrice> = {}): ResolvedPrice {
  if (freeProviders.has(provider)) return { inputPerMTok: 0, outputPerMTok: 0, known: true };
  const key = `${provider}:${model}`;
  const exact = overrides[key] ?? defaultPrices[key];
  if (exact) return { ...exact, known: true };
  let best: { length: number; price: ModelPrice } | undefined;
  for (const table of [defaultPrices, overrides]) {
    for (const [candidate, price] of Object.entries(table)) {
      if (key.startsWith(candidate) && (!best || candidate.length >= best.length)) best = { length: candidate.length, price };
    }
  }
  return best ? { ...best.price, known: true } : { inputPerMTok: 0, outputPerMTok: 0, known: false };
}

/** Micro-dollars: tokens × dollars per million tokens is exactly micro-dollars. */
export function costMicros(price: ModelPrice, usage: Usage): number {
  return Math.round(usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok);
}

export function formatUsd(micros: number): string {
  const dollars = micros / 1_000_000;
  return dollars >= 0.01 || dollars === 0 ? `$${dollars.toFixed(2)}` : `$${dollars.toFixed(6)}`;
}
