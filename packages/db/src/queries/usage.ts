/** Query functions for the model usage ledger and the sums budgets are checked against. */
import { and, eq, gte, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { modelCalls } from "../schema";

export type ModelCallRow = typeof modelCalls.$inferSelect;

export async function insertModelCall(db: DbExecutor, values: typeof modelCalls.$inferInsert): Promise<void> {
  await db.insert(modelCalls).values(values);
}

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  calls: number;
}

const totals = {
  inputTokens: sql<number>`coalesce(sum(${modelCalls.inputTokens}), 0)::bigint`.mapWith(Number),
  outputTokens: sql<number>`coalesce(sum(${modelCalls.outputTokens}), 0)::bigint`.mapWith(Number),
  costMicros: sql<number>`coalesce(sum(${modelCalls.costMicros}), 0)::bigint`.mapWith(Number),
  calls: sql<number>`count(*)::int`.mapWith(Number),
};

/** Spend of one run, of one agent since a time, and of the project since a time, in one round trip. */
export async function sumUsageForBudgets(
  db: DbExecutor,
  params: { projectId: string; agentId: string | null; runId: string; since: Date },
): Promise<{ run: UsageTotals; agentToday: UsageTotals; projectToday: UsageTotals }> {
  const sinceIso = params.since.toISOString();
  const [row] = await db
    .select({
      runInput:
        sql<number>`coalesce(sum(${modelCalls.inputTokens}) filter (where ${modelCalls.runId} = ${params.runId}), 0)::bigint`.mapWith(
          Number,
        ),
      runOutput:
        sql<number>`coalesce(sum(${modelCalls.outputTokens}) filter (where ${modelCalls.runId} = ${params.runId}), 0)::bigint`.mapWith(
          Number,
        ),
      runCost: sql<number>`coalesce(sum(${modelCalls.costMicros}) filter (where ${modelCalls.runId} = ${params.runId}), 0)::bigint`.mapWith(
        Number,
      ),
      runCalls: sql<number>`count(*) filter (where ${modelCalls.runId} = ${params.runId})::int`.mapWith(Number),
      agentInput:
        sql<number>`coalesce(sum(${modelCalls.inputTokens}) filter (where ${modelCalls.agentId} = ${params.agentId} and ${modelCalls.createdAt} >= ${sinceIso}), 0)::bigint`.mapWith(
          Number,
        ),
      agentOutput:
        sql<number>`coalesce(sum(${modelCalls.outputTokens}) filter (where ${modelCalls.agentId} = ${params.agentId} and ${modelCalls.createdAt} >= ${sinceIso}), 0)::bigint`.mapWith(
          Number,
        ),
      agentCost:
        sql<number>`coalesce(sum(${modelCalls.costMicros}) filter (where ${modelCalls.agentId} = ${params.agentId} and ${modelCalls.createdAt} >= ${sinceIso}), 0)::bigint`.mapWith(
          Number,
        ),
      agentCalls:
        sql<number>`count(*) filter (where ${modelCalls.agentId} = ${params.agentId} and ${modelCalls.createdAt} >= ${sinceIso})::int`.mapWith(
          Number,
        ),
      projectInput:
        sql<number>`coalesce(sum(${modelCalls.inputTokens}) filter (where ${modelCalls.createdAt} >= ${sinceIso}), 0)::bigint`.mapWith(
          Number,
        ),
      projectOutput:
        sql<number>`coalesce(sum(${modelCalls.outputTokens}) filter (where ${modelCalls.createdAt} >= ${sinceIso}), 0)::bigint`.mapWith(
          Number,
        ),
      projectCost:
        sql<number>`coalesce(sum(${modelCalls.costMicros}) filter (where ${modelCalls.createdAt} >= ${sinceIso}), 0)::bigint`.mapWith(
          Number,
        ),
      projectCalls: sql<number>`count(*) filter (where ${modelCalls.createdAt} >= ${sinceIso})::int`.mapWith(Number),
    })
    .from(modelCalls)
    .where(
      and(
        eq(modelCalls.projectId, params.projectId),
        sql`(${modelCalls.createdAt} >= ${sinceIso} or ${modelCalls.runId} = ${params.runId})`,
      ),
    );
  const r = row ?? {
    runInput: 0,
    runOutput: 0,
    runCost: 0,
    runCalls: 0,
    agentInput: 0,
    agentOutput: 0,
    agentCost: 0,
    agentCalls: 0,
    projectInput: 0,
    projectOutput: 0,
    projectCost: 0,
    projectCalls: 0,
  };
  return {
    run: { inputTokens: r.runInput, outputTokens: r.runOutput, costMicros: r.runCost, calls: r.runCalls },
    agentToday: { inputTokens: r.agentInput, outputTokens: r.agentOutput, costMicros: r.agentCost, calls: r.agentCalls },
    projectToday: { inputTokens: r.projectInput, outputTokens: r.projectOutput, costMicros: r.projectCost, calls: r.projectCalls },
  };
}

/** Usage of a project since a time, grouped by day (UTC), provider and model, for the dashboard. */
export async function usageByDay(db: DbExecutor, params: { projectId: string; since: Date }) {
  return db
    .select({
      day: sql<string>`to_char(date_trunc('day', ${modelCalls.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`,
      provider: modelCalls.provider,
      model: modelCalls.model,
      ...totals,
    })
    .from(modelCalls)
    .where(and(eq(modelCalls.projectId, params.projectId), gte(modelCalls.createdAt, params.since)))
    .groupBy(sql`1`, modelCalls.provider, modelCalls.model)
    .orderBy(sql`1`);
}
