/**
 * Secrets an embedded installation needs (the database password, later the session and encryption
 * keys) are generated once into the data directory, readable by its owner only.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const ZSecrets = z.object({ postgresPassword: z.string().min(16) });
export type Secrets = z.infer<typeof ZSecrets>;

export async function loadOrCreateSecrets(dataDir: string): Promise<Secrets> {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) {
    const parsed = ZSecrets.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is damaged; restore it from a backup`);
    return parsed.data;
  }
  const secrets: Secrets = { postgresPassword: randomBytes(24).toString("base64url") };
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  await chmod(file, 0o600);
  return secrets;
}
