/** API tokens for the SDK and CLI: created once (shown once), listed without the secret, revoked. */
import {
  type Database,
  type DbExecutor,
  findActiveApiTokenByHash,
  insertApiToken,
  listApiTokens,
  type ProjectRoleName,
  revokeApiToken,
  touchApiToken,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { type Actor, hasRole } from "../projects/projects";
import { API_TOKEN_PREFIX, constantTimeEqual, generateSecretToken, hashToken } from "../security/tokens";
import { hasControlCharacters } from "../validation";

export const ZApiTokenName = z
  .string()
  .trim()
  .min(1, "Name the token")
  .max(100)
  .refine((value) => !hasControlCharacters(value), "Token names cannot contain control characters");

export async function createApiToken(
  db: Database,
  actor: Actor & { role: ProjectRoleName },
  input: { projectId: string; name: string; role: ProjectRoleName; expiresInDays?: number | undefined },
) {
  if (!hasRole(actor.role, input.role)) throw new AppError("FORBIDDEN", "A token cannot have a higher role than yours");
  const token = generateSecretToken(API_TOKEN_PREFIX);
  return db.transaction(async (tx) => {
    const created = await insertApiToken(tx, {
      projectId: input.projectId,
      userId: actor.userId,
      name: input.name,
      role: input.role,
      prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
      tokenHash: hashToken(token),
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "token.create",
      target: created.name,
      metadata: { tokenId: created.id, role: created.role },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "tokens.changed", { tokenId: created.id, change: "created" });
    return { ...created, token };
  });
}

export function listProjectApiTokens(db: DbExecutor, projectId: string) {
  return listApiTokens(db, projectId);
}

/** Revokes a token; returns its hash so caches holding it can be told. */
export async function revokeProjectApiToken(
  db: Database,
  actor: Actor,
  input: { projectId: string; tokenId: string },
): Promise<{ tokenHash: string }> {
  return db.transaction(async (tx) => {
    const revoked = await revokeApiToken(tx, input);
    if (!revoked) throw new AppError("NOT_FOUND", "Token not found or already revoked");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "token.revoke",
      target: revoked.name,
      metadata: { tokenId: revoked.id },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "tokens.changed", { tokenId: revoked.id, change: "revoked" });
    return { tokenHash: revoked.tokenHash };
  });
}

export interface VerifiedApiToken {
  tokenId: string;
  userId: string;
  projectId: string;
  role: ProjectRoleName;
}

/** Looks a presented token up by its hash; null when unknown, revoked or expired. */
export async function verifyApiToken(db: DbExecutor, presented: string): Promise<VerifiedApiToken | null> {
  if (!presented.startsWith(API_TOKEN_PREFIX) || presented.length > 200) return null;
  const tokenHash = hashToken(presented);
  const token = await findActiveApiTokenByHash(db, tokenHash);
  if (!token || !constantTimeEqual(token.tokenHash, tokenHash)) return null;
  await touchApiToken(db, token.id);
  return { tokenId: token.id, userId: token.userId, projectId: token.projectId, role: token.role };
}
