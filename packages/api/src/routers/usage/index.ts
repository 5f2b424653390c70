/** usage.*: tokens and cost by day and model, the price overrides and the project's daily budgets. */
import { getUsageSettings, getUsageSummary, updateUsageSettings, ZUpdateUsageSettingsInput } from "@gathering/core";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../trpc";

export const usageRouter = createTRPCRouter({
  summary: projectProcedure("viewer")
    .input(z.object({ days: z.number().int().min(1).max(366).default(30) }).default({ days: 30 }))
    .query(({ ctx, input }) => getUsageSummary(ctx.db, { projectId: ctx.project.id, days: input.days })),
  settings: projectProcedure("viewer").query(({ ctx }) => getUsageSettings(ctx.db, ctx.project.id)),
  updateSettings: projectProcedure("admin")
    .input(ZUpdateUsageSettingsInput)
    .mutation(({ ctx, input }) => updateUsageSettings(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id })),
});
