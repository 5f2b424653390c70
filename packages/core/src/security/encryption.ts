/**
 * Encryption at rest for stored secrets (provider API keys): AES-256-GCM, a fresh 96-bit IV per value,
 * the owning row's id as associated data (a ciphertext copied to another row does not decrypt), and a
 * key id stored beside each value so keys can be rotated.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../errors";

export interface Keyring {
  /** New values are encrypted with this key. */
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export interface EncryptedValue {
  keyId: string;
  /** base64(iv || ciphertext || tag) */
  ciphertext: string;
}

/**
 * Parses "id1:base64key1,id2:base64key2" (the first is active). Each key must be 32 bytes.
 */
export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let activeKeyId: string | undefined;
  for (const part of spec
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const separator = part.indexOf(":");
    const id = part.slice(0, separator);
    const key = Buffer.from(part.slice(separator + 1), "base64");
    if (separator <= 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id))
      throw new Error(`encryption key id "${id}" must be 1-32 letters, digits, - or _`);
    if (key.length !== 32) throw new Error(`encryption key "${id}" must be 32 bytes of base64, got ${key.length}`);
    if (keys.has(id)) throw new Error(`encryption key id "${id}" appears twice`);
    keys.set(id, key);
    activeKeyId ??= id;
  }
  if (!activeKeyId) throw new Error("no encryption key given");
  return { activeKeyId, keys };
}

export function generateKeyringEntry(id: string): string {
  return `${id}:${randomBytes(32).toString("base64")}`;
}

export function encryptSecret(keyring: Keyring, plaintext: string, associatedData: string): EncryptedValue {
  const key = keyring.keys.get(keyring.activeKeyId);
  if (!key) throw new Error(`active encryption key "${keyring.activeKeyId}" is missing`);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { keyId: keyring.activeKeyId, ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64") };
}

export function decryptSecret(keyring: Keyring, value: EncryptedValue, associatedData: string): string {
  const key = keyring.keys.get(value.keyId);
  if (!key) throw new AppError("PRECONDITION_FAILED", `The key "${value.keyId}" that encrypted a stored secret is not configured`);
  const raw = Buffer.from(value.ciphertext, "base64");
  if (raw.length < 12 + 16) throw new AppError("INTERNAL", "A stored secret is damaged");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new AppError("INTERNAL", "A stored secret failed its integrity check");
  }
}
