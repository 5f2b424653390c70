/**
 * Agent memory beyond the session window:
 * - long-term: facts the agent chose (through the `memory_store` tool) or was told to remember, stored
 *   with an embedding and recalled by similarity into later sessions;
 * - working memory: one structured profile per agent and user, updated by the agent (`update_profile`).
 * The user sees and deletes both through `agents.memory.*`.
 */
import {
  type Database,
  type DbExecutor,
  deleteAgentMemory,
  deleteAgentProfile,
  findAgentProfile,
  insertAgentMemory,
  listAgentMemories,
  upsertAgentProfile,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { publishEvent } from "../events/catalog";
import { cosineSimilarity, embedLocal, localEmbeddingModel } from "../llm/embeddings";
import type { Actor } from "../projects/projects";
import { hasControlCharactersInText } from "../validation";

/** Memories considered per recall: the newest this many of the agent's, ranked by similarity. */
const recallWindow = 2000;

export const ZMemoryFact = z
  .string()
  .trim()
  .min(1, "Say what to remember")
  .max(2000, "Keep a memory under 2,000 characters")
  .refine((value) => !hasControlCharactersInText(value), "Memories cannot contain control characters");

export const ZProfilePatch = z
  .record(
    z.string().trim().min(1).max(64),
    z.union([z.string().max(1000), z.number(), z.boolean(), z.null(), z.array(z.string().max(200)).max(20)]),
  )
  .refine((value) => Object.keys(value).length <= 50, "At most 50 profile fields");

export async function storeMemory(
  db: DbExecutor,
  input: {
    projectId: string;
    agentId: string;
    userId: string | null;
    content: string;
    source: "agent" | "user";
    sessionId?: string | null;
  },
) {
  const content = ZMemoryFact.parse(input.content);
  const row = await insertAgentMemory(db, {
    projectId: input.projectId,
    agentId: input.agentId,
    userId: input.userId,
    content,
    embedding: embedLocal(content),
    embeddingModel: localEmbeddingModel,
    source: input.source,
    sessionId: input.sessionId ?? null,
  });
  await publishEvent(db, input.projectId, "memory.changed", { agentId: input.agentId, change: "stored" });
  return { id: row.id, content: row.content, source: row.source, createdAt: row.createdAt };
}

export interface RecalledMemory {
  id: string;
  content: string;
  score: number;
  createdAt: Date;
}

/** The memories most similar to the query; ties go to the newer one. */
export async function recallMemories(
  db: DbExecutor,
  input: { projectId: string; agentId: string; userId: string | null; query: string; limit: number },
): Promise<RecalledMemory[]> {
  if (input.limit === 0) return [];
  const rows = await listAgentMemories(db, {
    projectId: input.projectId,
    agentId: input.agentId,
    userId: input.userId,
    limit: recallWindow,
  });
  if (rows.length === 0) return [];
  const query = embedLocal(input.query);
  return rows
    .map((row) => ({ id: row.id, content: row.content, createdAt: row.createdAt, score: cosineSimilarity(query, row.embedding) }))
    .filter((memory) => memory.score > 0.05)
    .sort((a, b) => b.score - a.score || b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, input.limit);
}

export async function listMemories(db: DbExecutor, input: { projectId: string; agentId: string; userId: string | null; limit: number }) {
  const rows = await listAgentMemories(db, input);
  return rows.map((row) => ({ id: row.id, content: row.content, source: row.source, userId: row.userId, createdAt: row.createdAt }));
}

/** Deletes one memory (the user's "forget this"); audited, since it changes what the agent knows. */
export async function forgetMemory(
  db: Database,
  actor: Actor,
  input: { projectId: string; agentId: string; memoryId: string },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const deleted = await deleteAgentMemory(tx, input);
    if (!deleted) return false;
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "agent.memory_delete",
      target: input.memoryId,
      metadata: { agentId: input.agentId },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "memory.changed", { agentId: input.agentId, change: "deleted" });
    return true;
  });
}

export async function readProfile(db: DbExecutor, input: { agentId: string; userId: string }): Promise<Record<string, unknown>> {
  return (await findAgentProfile(db, input)) ?? {};
}

/** Merges the patch into the profile; a null value removes that field. */
export async function updateProfile(
  db: DbExecutor,
  input: { projectId: string; agentId: string; userId: string; patch: Record<string, unknown> },
): Promise<Record<string, unknown>> {
  const patch = ZProfilePatch.parse(input.patch);
  const current = await readProfile(db, input);
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > 50)
    throw new z.ZodError([{ code: "custom", path: [], message: "At most 50 profile fields", input: next }]);
  await upsertAgentProfile(db, { projectId: input.projectId, agentId: input.agentId, userId: input.userId, data: next });
  await publishEvent(db, input.projectId, "memory.changed", { agentId: input.agentId, change: "profile_updated" });
  return next;
}

export async function clearProfile(db: DbExecutor, input: { projectId: string; agentId: string; userId: string }): Promise<boolean> {
  const deleted = await deleteAgentProfile(db, input);
  if (deleted) await publishEvent(db, input.projectId, "memory.changed", { agentId: input.agentId, change: "profile_deleted" });
  return deleted;
}
