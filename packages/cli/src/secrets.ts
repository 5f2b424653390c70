/**
 * Secrets an installation needs: the embedded database password, the session signing secret and the
 * keys that encrypt stored provider API keys. From the environment when set; otherwise generated once
 * into the data directory (mode 0600), which is right for one machine. Several instances on a shared
 * database must share NEXTAUTH_SECRET and GATHERING_ENCRYPTION_KEYS through the environment.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateKeyringEntry } from "@gathering/core";
import { z } from "zod";

const ZStoredSecrets = z.object({
  postgresPassword: z.string().min(16),
  nextAuthSecret: z.string().min(32).optional(),
  encryptionKeys: z.string().min(1).optional(),
});
export type StoredSecrets = Required<z.infer<typeof ZStoredSecrets>>;

export async function loadOrCreateSecrets(dataDir: string): Promise<StoredSecrets> {
  const file = path.join(dataDir, "secrets.json");
  let stored: z.infer<typeof ZStoredSecrets> | undefined;
  if (existsSync(file)) {
    const parsed = ZStoredSecrets.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is damaged; restore it from a backup`);
    stored = parsed.data;
  }
  const complete: StoredSecrets = {
    postgresPassword: stored?.postgresPassword ?? randomBytes(24).toString("base64url"),
    nextAuthSecret: stored?.nextAuthSecret ?? randomBytes(48).toString("base64url"),
    encryptionKeys: stored?.encryptionKeys ?? generateKeyringEntry(`k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`),
  };
  if (!stored || !stored.nextAuthSecret || !stored.encryptionKeys) {
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
    // Write then rename: a crash mid-write must not leave a half file that loses the keys.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(complete, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  }
  return complete;
}

/** Rewrites the stored keyring (key rotation when keys live in the data directory). */
export async function storeEncryptionKeys(dataDir: string, encryptionKeys: string): Promise<void> {
  const current = await loadOrCreateSecrets(dataDir);
  const file = path.join(dataDir, "secrets.json");
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ ...current, encryptionKeys }, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
