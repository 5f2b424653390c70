/** Query functions for per-project provider settings and encrypted secrets. */
import { and, eq } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { projectSecrets, projectSettings } from "../schema";

export type ProjectSecretRow = typeof projectSecrets.$inferSelect;

export async function listProjectSecrets(db: DbExecutor, projectId: string): Promise<ProjectSecretRow[]> {
  return db.select().from(projectSecrets).where(eq(projectSecrets.projectId, projectId));
}

export async function listAllProjectSecrets(db: DbExecutor): Promise<ProjectSecretRow[]> {
  return db.select().from(projectSecrets);
}

/** Inserts or replaces a secret; the row id is reserved first because it is the ciphertext's associated data. */
export async function findProjectSecret(db: DbExecutor, params: { projectId: string; name: string }) {
  const [row] = await db
    .select()
    .from(projectSecrets)
    .where(and(eq(projectSecrets.projectId, params.projectId), eq(projectSecrets.name, params.name)));
  return row;
}

export async function upsertProjectSecret(
  db: DbExecutor,
  params: { id: string; projectId: string; name: string; keyId: string; ciphertext: string; hint: string },
): Promise<void> {
  await db
    .insert(projectSecrets)
    .values(params)
    .onConflictDoUpdate({
      target: [projectSecrets.projectId, projectSecrets.name],
      set: { keyId: params.keyId, ciphertext: params.ciphertext, hint: params.hint },
    });
}

export async function updateProjectSecretCiphertext(
  db: DbExecutor,
  params: { id: string; keyId: string; ciphertext: string },
): Promise<void> {
  await db.update(projectSecrets).set({ keyId: params.keyId, ciphertext: params.ciphertext }).where(eq(projectSecrets.id, params.id));
}

export async function deleteProjectSecret(db: DbExecutor, params: { projectId: string; name: string }): Promise<boolean> {
  const deleted = await db
    .delete(projectSecrets)
    .where(and(eq(projectSecrets.projectId, params.projectId), eq(projectSecrets.name, params.name)))
    .returning({ id: projectSecrets.id });
  return deleted.length > 0;
}

export async function findProjectSettings(db: DbExecutor, projectId: string): Promise<unknown> {
  const [row] = await db
    .select({ providers: projectSettings.providers })
    .from(projectSettings)
    .where(eq(projectSettings.projectId, projectId));
  return row?.providers ?? {};
}

export async function upsertProjectSettings(db: DbExecutor, params: { projectId: string; providers: unknown }): Promise<void> {
  await db
    .insert(projectSettings)
    .values({ projectId: params.projectId, providers: params.providers })
    .onConflictDoUpdate({ target: projectSettings.projectId, set: { providers: params.providers } });
}

/** Price overrides and project-wide daily budgets (validated in core). */
export async function findProjectUsageSettings(db: DbExecutor, projectId: string): Promise<{ pricing: unknown; budgets: unknown }> {
  const [row] = await db
    .select({ pricing: projectSettings.pricing, budgets: projectSettings.budgets })
    .from(projectSettings)
    .where(eq(projectSettings.projectId, projectId));
  return { pricing: row?.pricing ?? {}, budgets: row?.budgets ?? {} };
}

export async function upsertProjectUsageSettings(
  db: DbExecutor,
  params: { projectId: string; pricing: unknown; budgets: unknown },
): Promise<void> {
  await db
    .insert(projectSettings)
    .values({ projectId: params.projectId, pricing: params.pricing, budgets: params.budgets })
    .onConflictDoUpdate({ target: projectSettings.projectId, set: { pricing: params.pricing, budgets: params.budgets } });
}

/** Everything a model call needs from the project's settings row, in one read. */
export async function findProjectModelSettings(
  db: DbExecutor,
  projectId: string,
): Promise<{ providers: unknown; pricing: unknown; budgets: unknown }> {
  const [row] = await db
    .select({ providers: projectSettings.providers, pricing: projectSettings.pricing, budgets: projectSettings.budgets })
    .from(projectSettings)
    .where(eq(projectSettings.projectId, projectId));
  return { providers: row?.providers ?? {}, pricing: row?.pricing ?? {}, budgets: row?.budgets ?? {} };
}
