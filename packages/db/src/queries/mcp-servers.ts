/** Query functions for the MCP servers a project connects to. */
import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { mcpServers } from "../schema";

export type McpServerRow = typeof mcpServers.$inferSelect;
export type NewMcpServerRow = typeof mcpServers.$inferInsert;

export async function insertMcpServer(db: DbExecutor, values: NewMcpServerRow): Promise<McpServerRow> {
  const [row] = await db.insert(mcpServers).values(values).returning();
  if (!row) throw new Error("insert into mcp_servers returned no row");
  return row;
}

export async function findMcpServer(db: DbExecutor, params: { projectId: string; serverId: string }): Promise<McpServerRow | undefined> {
  const [row] = await db
    .select()
    .from(mcpServers)
    .where(and(eq(mcpServers.projectId, params.projectId), eq(mcpServers.id, params.serverId)));
  return row;
}

export async function findMcpServerByName(db: DbExecutor, params: { projectId: string; name: string }): Promise<McpServerRow | undefined> {
  const [row] = await db
    .select()
    .from(mcpServers)
    .where(and(eq(mcpServers.projectId, params.projectId), eq(mcpServers.name, params.name)));
  return row;
}

/** By name; `enabledOnly` for what agents may call, all of them for the settings page. */
export async function listMcpServers(db: DbExecutor, params: { projectId: string; enabledOnly?: boolean }): Promise<McpServerRow[]> {
  const conditions = [eq(mcpServers.projectId, params.projectId)];
  if (params.enabledOnly) conditions.push(eq(mcpServers.enabled, true));
  return db
    .select()
    .from(mcpServers)
    .where(and(...conditions))
    .orderBy(asc(mcpServers.name));
}

/** The servers of a project with these names (for checking an agent's allowlist). */
export async function listMcpServersByName(
  db: DbExecutor,
  params: { projectId: string; names: readonly string[] },
): Promise<McpServerRow[]> {
  if (params.names.length === 0) return [];
  return db
    .select()
    .from(mcpServers)
    .where(and(eq(mcpServers.projectId, params.projectId), inArray(mcpServers.name, [...params.names])));
}

export async function updateMcpServer(
  db: DbExecutor,
  params: { projectId: string; serverId: string; values: Partial<Omit<NewMcpServerRow, "id" | "projectId">> },
): Promise<McpServerRow | undefined> {
  const [row] = await db
    .update(mcpServers)
    .set(params.values)
    .where(and(eq(mcpServers.projectId, params.projectId), eq(mcpServers.id, params.serverId)))
    .returning();
  return row;
}

/** Records what a connection attempt found: the listed tools and no error, or the error (tools kept as they were). */
export async function recordMcpServerStatus(
  db: DbExecutor,
  params: { serverId: string; tools?: unknown; lastError: string | null; lastConnectedAt?: Date },
): Promise<McpServerRow | undefined> {
  const [row] = await db
    .update(mcpServers)
    .set({
      lastError: params.lastError,
      ...(params.tools !== undefined ? { tools: params.tools } : {}),
      ...(params.lastConnectedAt ? { lastConnectedAt: params.lastConnectedAt } : {}),
    })
    .where(eq(mcpServers.id, params.serverId))
    .returning();
  return row;
}

export async function deleteMcpServer(db: DbExecutor, params: { projectId: string; serverId: string }): Promise<McpServerRow | undefined> {
  const [row] = await db
    .delete(mcpServers)
    .where(and(eq(mcpServers.projectId, params.projectId), eq(mcpServers.id, params.serverId)))
    .returning();
  return row;
}

/** Every server that holds encrypted secrets, across projects (for re-encrypting them after a key rotation). */
export async function listEncryptedMcpServerSecrets(
  db: DbExecutor,
): Promise<Array<{ id: string; secretKeyId: string; secretCiphertext: string }>> {
  const rows = await db
    .select({ id: mcpServers.id, secretKeyId: mcpServers.secretKeyId, secretCiphertext: mcpServers.secretCiphertext })
    .from(mcpServers)
    .where(and(isNotNull(mcpServers.secretKeyId), isNotNull(mcpServers.secretCiphertext)));
  return rows.flatMap((row) =>
    row.secretKeyId && row.secretCiphertext ? [{ id: row.id, secretKeyId: row.secretKeyId, secretCiphertext: row.secretCiphertext }] : [],
  );
}

/** Replaces a server's encrypted secrets with the same plaintext under another key. */
export async function updateMcpServerSecretCiphertext(
  db: DbExecutor,
  params: { id: string; keyId: string; ciphertext: string },
): Promise<void> {
  await db.update(mcpServers).set({ secretKeyId: params.keyId, secretCiphertext: params.ciphertext }).where(eq(mcpServers.id, params.id));
}
