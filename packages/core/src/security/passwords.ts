/**
 * Password hashing with bcrypt. bcrypt reads at most 72 bytes and stops at a NUL byte, so passwords
 * are pre-hashed with SHA-256 (base64: 44 ASCII bytes, no NUL) and every character counts.
 */
import { createHash } from "node:crypto";
import bcrypt from "bcrypt";
import { z } from "zod";

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** Length in characters (code points), so an emoji counts once. */
export const ZPassword = z
  .string()
  .refine((value) => [...value].length >= PASSWORD_MIN_LENGTH, { message: `Use at least ${PASSWORD_MIN_LENGTH} characters` })
  .refine((value) => [...value].length <= PASSWORD_MAX_LENGTH, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters` });

function preHash(password: string): string {
  return createHash("sha256").update(password.normalize("NFC"), "utf8").digest("base64");
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(preHash(password), cost);
}

/** bcrypt.compare is constant-time in the hash comparison. */
export function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  return bcrypt.compare(preHash(password), passwordHash);
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * Spends the same time as a real check, for sign-ins with an unknown email, so response times do not
 * tell which emails have accounts.
 */
export async function verifyAgainstDummyHash(password: string, cost: number): Promise<false> {
  let dummy = dummyHashes.get(cost);
  if (!dummy) {
    dummy = bcrypt.hash("gathering-dummy-password", cost);
    dummyHashes.set(cost, dummy);
  }
  await bcrypt.compare(preHash(password), await dummy);
  return false;
}
