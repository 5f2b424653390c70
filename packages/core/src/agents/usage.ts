/** Usage reporting and the project's usage settings (price overrides, daily budgets). */
import { type Database, type DbExecutor, upsertProjectUsageSettings, usageByDay } from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { publishEvent } from "../events/catalog";
import { defaultPrices } from "../llm/pricing";
import type { Actor } from "../projects/projects";
import { readUsageSettings, startOfUtcDay, ZPricingOverrides, ZProjectBudgets } from "./budgets";

export async function getUsageSummary(db: DbExecutor, input: { projectId: string; days: number; now?: Date }) {
  const since = new Date(startOfUtcDay(input.now ?? new Date()).getTime() - (input.days - 1) * 86_400_000);
  const rows = await usageByDay(db, { projectId: input.projectId, since });
  const totals = rows.reduce(
    (sum, row) => ({
      inputTokens: sum.inputTokens + row.inputTokens,
      outputTokens: sum.outputTokens + row.outputTokens,
      costMicros: sum.costMicros + row.costMicros,
      calls: sum.calls + row.calls,
    }),
    { inputTokens: 0, outputTokens: 0, costMicros: 0, calls: 0 },
  );
  return { since, rows, totals };
}

export async function getUsageSettings(db: DbExecutor, projectId: string) {
  const settings = await readUsageSettings(db, projectId);
  return { ...settings, defaultPrices };
}

export const ZUpdateUsageSettingsInput = z.object({
  pricing: ZPricingOverrides.optional(),
  budgets: ZProjectBudgets.optional(),
});

export async function updateUsageSettings(
  db: Database,
  actor: Actor,
  input: { projectId: string } & z.input<typeof ZUpdateUsageSettingsInput>,
) {
  const patch = ZUpdateUsageSettingsInput.parse(input);
  return db.transaction(async (tx) => {
    const current = await readUsageSettings(tx, input.projectId);
    const next = { pricing: patch.pricing ?? current.pricing, budgets: patch.budgets ?? current.budgets };
    await upsertProjectUsageSettings(tx, { projectId: input.projectId, ...next });
    const changed = [...(patch.pricing ? ["pricing"] : []), ...(patch.budgets ? ["budgets"] : [])];
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "usage.settings_update",
      metadata: { changed },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "settings.changed", { changed });
    return { ...next, defaultPrices };
  });
}
