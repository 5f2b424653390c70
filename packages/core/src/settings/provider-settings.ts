/**
 * Per-project model provider settings. API keys are encrypted at rest and only ever leave this module
 * masked (for the API and UI) or decrypted for the model layer; the rest is validated JSON.
 */
import { randomUUID } from "node:crypto";
import {
  type Database,
  type DbExecutor,
  deleteProjectSecret,
  findProjectSecret,
  findProjectSettings,
  listAllProjectSecrets,
  listEncryptedMcpServerSecrets,
  listProjectSecrets,
  updateMcpServerSecretCiphertext,
  updateProjectSecretCiphertext,
  upsertProjectSecret,
  upsertProjectSettings,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { publishEvent } from "../events/catalog";
import type { Actor } from "../projects/projects";
import { decryptSecret, encryptSecret, type Keyring } from "../security/encryption";
import { hasControlCharacters } from "../validation";

export const providerNames = ["anthropic", "openai", "deepseek"] as const;
export type ProviderName = (typeof providerNames)[number];

const ZModelName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((value) => !hasControlCharacters(value), "Model names cannot contain control characters");

const ZApiKey = z
  .string()
  .trim()
  .min(8, "That is too short to be an API key")
  .max(512)
  .refine((value) => /^[\x21-\x7e]+$/.test(value), "API keys are printable ASCII without spaces");

const ZBaseUrl = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, message: "Use an http:// or https:// URL" }));

export const ZProviderSettings = z.object({
  ollama: z.object({ baseUrl: ZBaseUrl.nullable() }).partial().default({}),
  anthropic: z.object({ defaultModel: ZModelName.nullable(), baseUrl: ZBaseUrl.nullable() }).partial().default({}),
  openai: z.object({ defaultModel: ZModelName.nullable(), baseUrl: ZBaseUrl.nullable() }).partial().default({}),
  deepseek: z.object({ defaultModel: ZModelName.nullable(), baseUrl: ZBaseUrl.nullable() }).partial().default({}),
});
export type ProviderSettings = z.infer<typeof ZProviderSettings>;

export const ZUpdateProviderSettingsInput = z.object({
  settings: ZProviderSettings.partial().optional(),
  /** A new key per provider; null removes the stored key. Omitted providers keep theirs. */
  apiKeys: z.partialRecord(z.enum(providerNames), ZApiKey.nullable()).optional(),
});
export type TUpdateProviderSettingsInput = z.infer<typeof ZUpdateProviderSettingsInput>;

export interface MaskedProviderSettings {
  settings: ProviderSettings;
  apiKeys: Record<ProviderName, { isSet: boolean; masked: string | null; updatedAt: Date | null }>;
}

const secretName = (provider: ProviderName) => `${provider}.apiKey`;

export function maskSecret(hint: string): string {
  return `••••••••${hint}`;
}

export async function getProviderSettings(db: DbExecutor, projectId: string): Promise<MaskedProviderSettings> {
  const [stored, secrets] = await Promise.all([findProjectSettings(db, projectId), listProjectSecrets(db, projectId)]);
  const settings = ZProviderSettings.parse(stored ?? {});
  const apiKeys = Object.fromEntries(
    providerNames.map((provider) => {
      const secret = secrets.find((row) => row.name === secretName(provider));
      return [provider, { isSet: Boolean(secret), masked: secret ? maskSecret(secret.hint) : null, updatedAt: secret?.updatedAt ?? null }];
    }),
  ) as MaskedProviderSettings["apiKeys"];
  return { settings, apiKeys };
}

export async function updateProviderSettings(
  db: Database,
  keyring: Keyring,
  actor: Actor,
  input: TUpdateProviderSettingsInput & { projectId: string },
): Promise<MaskedProviderSettings> {
  await db.transaction(async (tx) => {
    const changed: string[] = [];
    if (input.settings) {
      const current = ZProviderSettings.parse((await findProjectSettings(tx, input.projectId)) ?? {});
      // Merge per provider: changing a default model must not drop that provider's base URL.
      const next = ZProviderSettings.parse(
        Object.fromEntries(
          Object.entries(current).map(([name, value]) => [name, { ...value, ...input.settings?.[name as keyof ProviderSettings] }]),
        ),
      );
      await upsertProjectSettings(tx, { projectId: input.projectId, providers: next });
      changed.push(...Object.keys(input.settings).map((provider) => `${provider}.settings`));
    }
    for (const provider of providerNames) {
      const apiKey = input.apiKeys?.[provider];
      if (apiKey === undefined) continue;
      if (apiKey === null) {
        await deleteProjectSecret(tx, { projectId: input.projectId, name: secretName(provider) });
      } else {
        const existing = await findProjectSecret(tx, { projectId: input.projectId, name: secretName(provider) });
        const id = existing?.id ?? randomUUID();
        const encrypted = encryptSecret(keyring, apiKey, id);
        await upsertProjectSecret(tx, { id, projectId: input.projectId, name: secretName(provider), ...encrypted, hint: apiKey.slice(-4) });
      }
      changed.push(`${provider}.apiKey`);
    }
    // The audit names what changed, never the values.
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "settings.update",
      metadata: { changed },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "settings.changed", { changed });
  });
  return getProviderSettings(db, input.projectId);
}

/** The decrypted key for the model layer; never returned through the API. */
export async function readProviderApiKey(
  db: DbExecutor,
  keyring: Keyring,
  input: { projectId: string; provider: ProviderName },
): Promise<string | null> {
  const secret = await findProjectSecret(db, { projectId: input.projectId, name: secretName(input.provider) });
  if (!secret) return null;
  return decryptSecret(keyring, { keyId: secret.keyId, ciphertext: secret.ciphertext }, secret.id);
}

/** Re-encrypts every stored secret (provider keys, MCP server secrets) with the keyring's active key (after adding a new key first in the list). */
export async function rotateStoredSecrets(db: Database, keyring: Keyring): Promise<{ rotated: number; alreadyCurrent: number }> {
  return db.transaction(async (tx) => {
    let rotated = 0;
    let alreadyCurrent = 0;
    for (const secret of await listAllProjectSecrets(tx)) {
      if (secret.keyId === keyring.activeKeyId) {
        alreadyCurrent += 1;
        continue;
      }
      const plaintext = decryptSecret(keyring, { keyId: secret.keyId, ciphertext: secret.ciphertext }, secret.id);
      await updateProjectSecretCiphertext(tx, { id: secret.id, ...encryptSecret(keyring, plaintext, secret.id) });
      rotated += 1;
    }
    // MCP servers' environment and headers use the same scheme: the row id is the associated data.
    for (const server of await listEncryptedMcpServerSecrets(tx)) {
      if (server.secretKeyId === keyring.activeKeyId) {
        alreadyCurrent += 1;
        continue;
      }
      const plaintext = decryptSecret(keyring, { keyId: server.secretKeyId, ciphertext: server.secretCiphertext }, server.id);
      await updateMcpServerSecretCiphertext(tx, { id: server.id, ...encryptSecret(keyring, plaintext, server.id) });
      rotated += 1;
    }
    await recordAudit(tx, { action: "secrets.rotate", metadata: { rotated, activeKeyId: keyring.activeKeyId } });
    return { rotated, alreadyCurrent };
  });
}
