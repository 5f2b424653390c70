/**
 * Budgets stop work before the call that would cross them. Limits: per run (a chat session's turn
 * sequence or a task), per agent per UTC day, per project per UTC day; each in tokens and/or dollars.
 * Before every model call the spend so far is summed from the usage ledger, and the call's output is
 * capped (`maxTokens`) so that its worst case stays inside every limit; when not even a small answer
 * fits, the call is refused with BUDGET_EXCEEDED.
 */
import { type DbExecutor, findProjectUsageSettings, sumUsageForBudgets } from "@gathering/db";
import { z } from "zod";
import { AppError } from "../errors";
import { type ModelPrice, ZModelPrice } from "../llm/pricing";
import type { AgentBudgets } from "./agent-schema";

/** Below this many output tokens an answer is not worth starting. */
export const minimumOutputTokens = 16;

export const ZProjectBudgets = z.object({
  perDayTokens: z.number().int().min(1).max(1_000_000_000_000).optional(),
  perDayUsd: z.number().min(0).max(10_000_000).optional(),
});
export type ProjectBudgets = z.infer<typeof ZProjectBudgets>;

export const ZPricingOverrides = z.record(
  z
    .string()
    .max(220)
    .regex(/^(anthropic|openai|deepseek|ollama|local):[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/, "Keys are provider:model"),
  ZModelPrice,
);

export async function readUsageSettings(
  db: DbExecutor,
  projectId: string,
): Promise<{ pricing: Record<string, ModelPrice>; budgets: ProjectBudgets }> {
  return parseUsageSettings(await findProjectUsageSettings(db, projectId));
}

export function parseUsageSettings(stored: { pricing: unknown; budgets: unknown }): {
  pricing: Record<string, ModelPrice>;
  budgets: ProjectBudgets;
} {
  const pricing = ZPricingOverrides.safeParse(stored.pricing);
  const budgets = ZProjectBudgets.safeParse(stored.budgets);
  return { pricing: pricing.success ? pricing.data : {}, budgets: budgets.success ? budgets.data : {} };
}

export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

interface Limit {
  scope: "run" | "agent_day" | "project_day";
  unit: "tokens" | "usd";
  limit: number;
  spentTokens: number;
  spentMicros: number;
}

/**
 * Returns the output cap for the next call, or throws BUDGET_EXCEEDED naming the limit.
 * `estimatedInputTokens` is what the request will cost on the way in.
 */
export async function reserveCall(
  db: DbExecutor,
  input: {
    projectId: string;
    agentId: string | null;
    runId: string;
    agentBudgets: AgentBudgets;
    projectBudgets: ProjectBudgets;
    price: ModelPrice;
    estimatedInputTokens: number;
    requestedMaxTokens: number;
    now?: Date;
  },
): Promise<{ maxTokens: number }> {
  const { agentBudgets, projectBudgets } = input;
  const anyLimit =
    agentBudgets.perRunTokens ??
    agentBudgets.perRunUsd ??
    agentBudgets.perDayTokens ??
    agentBudgets.perDayUsd ??
    projectBudgets.perDayTokens ??
    projectBudgets.perDayUsd;
  if (anyLimit === undefined) return { maxTokens: input.requestedMaxTokens };
  const spent = await sumUsageForBudgets(db, {
    projectId: input.projectId,
    agentId: input.agentId,
    runId: input.runId,
    since: startOfUtcDay(input.now ?? new Date()),
  });
  const limits: Limit[] = [];
  const add = (scope: Limit["scope"], unit: Limit["unit"], limit: number | undefined, totals: typeof spent.run) => {
    if (limit !== undefined)
      limits.push({ scope, unit, limit, spentTokens: totals.inputTokens + totals.outputTokens, spentMicros: totals.costMicros });
  };
  add("run", "tokens", agentBudgets.perRunTokens, spent.run);
  add("run", "usd", agentBudgets.perRunUsd, spent.run);
  add("agent_day", "tokens", agentBudgets.perDayTokens, spent.agentToday);
  add("agent_day", "usd", agentBudgets.perDayUsd, spent.agentToday);
  add("project_day", "tokens", projectBudgets.perDayTokens, spent.projectToday);
  add("project_day", "usd", projectBudgets.perDayUsd, spent.projectToday);

  let maxTokens = input.requestedMaxTokens;
  for (const limit of limits) {
    let allowed: number;
    if (limit.unit === "tokens") {
      allowed = limit.limit - limit.spentTokens - input.estimatedInputTokens;
    } else {
      const remainingMicros = limit.limit * 1_000_000 - limit.spentMicros - input.estimatedInputTokens * input.price.inputPerMTok;
      allowed =
        input.price.outputPerMTok === 0
          ? remainingMicros >= 0
            ? Number.POSITIVE_INFINITY
            : -1
          : Math.floor(remainingMicros / input.price.outputPerMTok);
    }
    if (allowed < minimumOutputTokens) {
      const names = { run: "this run", agent_day: "this agent today", project_day: "this project today" };
      const spentText = limit.unit === "tokens" ? `${limit.spentTokens} tokens` : `$${(limit.spentMicros / 1_000_000).toFixed(6)}`;
      const limitText = limit.unit === "tokens" ? `${limit.limit} tokens` : `$${limit.limit}`;
      throw new AppError("BUDGET_EXCEEDED", `The budget for ${names[limit.scope]} is used up: ${spentText} of ${limitText}`, {
        scope: limit.scope,
        unit: limit.unit,
        limit: limit.limit,
        spentTokens: limit.spentTokens,
        spentUsd: limit.spentMicros / 1_000_000,
      });
    }
    maxTokens = Math.min(maxTokens, allowed);
  }
  return { maxTokens: Math.floor(maxTokens) };
}
