/**
 * Optional model rerank of search hits: a chat model of the project's providers scores each passage's
 * relevance to the query from 0 to 10, and the hits are reordered by that score (the fused score breaks
 * ties). One call per search, temperature 0, the passages numbered in the prompt and the scores asked
 * for as JSON. An answer that is not a score per passage is UNAVAILABLE, not a silent fallback, since
 * the caller asked for a rerank explicitly.
 */
import type { DbExecutor } from "@gathering/db";
import { z } from "zod";
import { ZModelRef } from "../agents/agent-schema";
import { AppError } from "../errors";
import type { ModelGateway } from "../llm/gateway";
import { assertSomeModelCallable, loadModelContext } from "../llm/resolve";
import type { Keyring } from "../security/encryption";

export const ZRerankModel = ZModelRef;

const ZScores = z.object({ scores: z.array(z.number().min(0).max(10)) });

export async function rerankPassages(
  db: DbExecutor,
  services: { keyring?: Keyring; gateway?: ModelGateway },
  input: { projectId: string; model: z.infer<typeof ZRerankModel>; query: string; passages: readonly string[]; signal?: AbortSignal },
): Promise<number[]> {
  if (input.passages.length === 0) return [];
  if (!services.keyring || !services.gateway) {
    throw new AppError("PRECONDITION_FAILED", "Reranking with a model is not available here", { reason: "no-model-access" });
  }
  const context = await loadModelContext(db, services.keyring, input.projectId, [input.model]);
  assertSomeModelCallable(context);
  const numbered = input.passages.map((passage, index) => `[${index + 1}] ${passage.replace(/\s+/g, " ").slice(0, 1500)}`).join("\n\n");
  const { result } = await services.gateway.callWithFallback(context.targets, {
    model: input.model.model,
    temperature: 0,
    maxTokens: 50 + input.passages.length * 6,
    ...(input.signal ? { signal: input.signal } : {}),
    messages: [
      {
        role: "system",
        content:
          'You rank search results. For each numbered passage, rate how well it answers the query from 0 (unrelated) to 10 (answers it). Reply with JSON only: {"scores": [one number per passage, in order]}.',
      },
      { role: "user", content: `Query: ${input.query}\n\nPassages:\n${numbered}` },
    ],
  });
  const json = /\{[\s\S]*\}/.exec(result.text)?.[0];
  let parsed: z.infer<typeof ZScores> | undefined;
  try {
    parsed = json ? ZScores.parse(JSON.parse(json)) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.scores.length !== input.passages.length) {
    throw new AppError("UNAVAILABLE", `The rerank model did not answer with ${input.passages.length} scores`, {
      reason: "rerank-answer",
      answer: result.text.slice(0, 200),
    });
  }
  return parsed.scores;
}
