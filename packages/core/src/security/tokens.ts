/** Random secret tokens (API tokens, invitation links), their stored hashes and constant-time compares. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const API_TOKEN_PREFIX = "gat_";
export const INVITATION_TOKEN_PREFIX = "inv_";

export function generateSecretToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) {
    // Still compare, so the time does not depend on where the lengths differ.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
