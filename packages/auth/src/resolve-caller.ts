/**
 * Who is calling: an API token in `Authorization: Bearer gat_...`, or a browser session cookie whose
 * session has not been signed out. A presented but invalid token is an error, not an anonymous call.
 */
import { AppError, hashToken } from "@gathering/core";
import { decode } from "next-auth/jwt";
import { sessionCookieName } from "./next-auth-options";
import type { RevocationCache } from "./revocation-cache";

export type CallerSource = "session" | "token";

export interface ResolvedCaller {
  userId: string;
  source: CallerSource;
  sessionId?: string;
  tokenScope?: { projectId: string; role: "viewer" | "member" | "admin" | "owner"; tokenId: string };
}

export function readCookie(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) {
      try {
        return decodeURIComponent(part.slice(separator + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export async function resolveCaller(
  headers: Headers,
  services: { revocations: RevocationCache; secret: string; isSecure: boolean },
): Promise<ResolvedCaller | null> {
  const authorization = headers.get("authorization");
  if (authorization) {
    const [scheme, presented] = authorization.split(" ");
    if (scheme !== "Bearer" || !presented) throw new AppError("UNAUTHORIZED", "Use Authorization: Bearer <API token>");
    const verified = await services.revocations.verifyApiToken(presented, hashToken(presented));
    if (!verified) throw new AppError("UNAUTHORIZED", "This API token is invalid, expired or revoked");
    return {
      userId: verified.userId,
      source: "token",
      tokenScope: { projectId: verified.projectId, role: verified.role, tokenId: verified.tokenId },
    };
  }
  const cookie = readCookie(headers.get("cookie"), sessionCookieName(services.isSecure));
  if (!cookie) return null;
  const token = await decode({ token: cookie, secret: services.secret }).catch(() => null);
  if (!token?.sub || typeof token.sid !== "string") return null;
  if (await services.revocations.isSessionRevoked(token.sid)) return null;
  return { userId: token.sub, source: "session", sessionId: token.sid };
}
