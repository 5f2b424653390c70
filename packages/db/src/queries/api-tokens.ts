/** Query functions for API tokens. */
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { apiTokens } from "../schema";
import type { ProjectRoleName } from "./projects";

export async function insertApiToken(
  db: DbExecutor,
  params: {
    projectId: string;
    userId: string;
    name: string;
    role: ProjectRoleName;
    prefix: string;
    tokenHash: string;
    expiresAt: Date | null;
  },
) {
  const [token] = await db.insert(apiTokens).values(params).returning({
    id: apiTokens.id,
    name: apiTokens.name,
    role: apiTokens.role,
    prefix: apiTokens.prefix,
    createdAt: apiTokens.createdAt,
    expiresAt: apiTokens.expiresAt,
  });
  if (!token) throw new Error("insert into api_tokens returned no row");
  return token;
}

export async function listApiTokens(db: DbExecutor, projectId: string) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      role: apiTokens.role,
      prefix: apiTokens.prefix,
      userId: apiTokens.userId,
      lastUsedAt: apiTokens.lastUsedAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      createdAt: apiTokens.createdAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.projectId, projectId))
    .orderBy(desc(apiTokens.createdAt));
}

/** The live token with this hash: not revoked, not expired. */
export async function findActiveApiTokenByHash(db: DbExecutor, tokenHash: string) {
  const [token] = await db
    .select({
      id: apiTokens.id,
      projectId: apiTokens.projectId,
      userId: apiTokens.userId,
      role: apiTokens.role,
      tokenHash: apiTokens.tokenHash,
    })
    .from(apiTokens)
    .where(
      and(
        eq(apiTokens.tokenHash, tokenHash),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
      ),
    );
  return token;
}

export async function revokeApiToken(db: DbExecutor, params: { projectId: string; tokenId: string }) {
  const [token] = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.id, params.tokenId), eq(apiTokens.projectId, params.projectId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id, tokenHash: apiTokens.tokenHash, name: apiTokens.name });
  return token;
}

/** Records use, at most once a minute per token, so verification stays a read on the hot path. */
export async function touchApiToken(db: DbExecutor, tokenId: string): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`))));
}

/** Whether a token (by id) is still live: not revoked, not expired. */
export async function isApiTokenActive(db: DbExecutor, tokenId: string): Promise<boolean> {
  const [token] = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(
      and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`))),
    );
  return Boolean(token);
}
