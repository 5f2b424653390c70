import { randomUUID } from "node:crypto";
import { insertMcpServer, schema } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "../auth/accounts";
import { AppError } from "../errors";
import { createLogger } from "../logger";
import { generateKeyringEntry, parseKeyring } from "../security/encryption";
import { McpConnectionManager } from "../tools/mcp/connections";
import { getProviderSettings, readProviderApiKey, rotateStoredSecrets, updateProviderSettings } from "./provider-settings";

let database: TestDatabase;
let projectId: string;
let userId: string;
const firstKey = generateKeyringEntry("first");
const keyring = parseKeyring(firstKey);

beforeAll(async () => {
  database = await createTestDatabase();
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "o@example.com", name: "O", password: "correct horse battery" },
  );
  projectId = account.projectId;
  userId = account.id;
});
afterAll(async () => {
  await database.drop();
});

describe("provider settings", () => {
  it("stores API keys encrypted and only ever shows them masked", async () => {
    const masked = await updateProviderSettings(
      database.db,
      keyring,
      { userId },
      {
        projectId,
        apiKeys: { openai: "sk-openai-secret-1234", anthropic: "sk-ant-secret-9876" },
        settings: { ollama: { baseUrl: "http://127.0.0.1:11434" } },
      },
    );
    expect(masked.apiKeys.openai).toMatchObject({ isSet: true, masked: "••••••••1234" });
    expect(masked.apiKeys.deepseek).toMatchObject({ isSet: false, masked: null });
    expect(masked.settings.ollama.baseUrl).toBe("http://127.0.0.1:11434");
    expect(JSON.stringify(masked)).not.toContain("sk-openai-secret");
    const rows = await database.db.select().from(schema.projectSecrets);
    expect(rows.map((row) => row.ciphertext).join()).not.toContain("secret");
    expect(await readProviderApiKey(database.db, keyring, { projectId, provider: "openai" })).toBe("sk-openai-secret-1234");
    expect(await readProviderApiKey(database.db, keyring, { projectId, provider: "deepseek" })).toBeNull();
  });

  it("refuses a ciphertext moved to another row (the row id is associated data)", async () => {
    const rows = await database.db.select().from(schema.projectSecrets);
    const openai = rows.find((row) => row.name === "openai.apiKey");
    const anthropic = rows.find((row) => row.name === "anthropic.apiKey");
    if (!openai || !anthropic) throw new Error("secrets missing");
    await database.db
      .update(schema.projectSecrets)
      .set({ ciphertext: openai.ciphertext })
      .where(eq(schema.projectSecrets.id, anthropic.id));
    const error = await readProviderApiKey(database.db, keyring, { projectId, provider: "anthropic" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    await updateProviderSettings(database.db, keyring, { userId }, { projectId, apiKeys: { anthropic: "sk-ant-secret-9876" } });
  });

  it("rotates every stored key to a new encryption key, after which the old key can go", async () => {
    // An MCP server's headers are encrypted the same way (row id as associated data) and rotate with the keys.
    const serverId = randomUUID();
    const mcpSecrets = new McpConnectionManager({ keyring, logger: createLogger({ level: "silent" }) }).encryptSecrets(serverId, {
      headers: { authorization: "Bearer mcp-secret-token" },
    });
    await insertMcpServer(database.db, {
      id: serverId,
      projectId,
      name: "remote",
      transport: "http",
      url: "https://mcp.example.com/mcp",
      ...mcpSecrets,
      secretNames: ["authorization"],
    });
    const rotatedKeyring = parseKeyring(`${generateKeyringEntry("second")},${firstKey}`);
    expect(await rotateStoredSecrets(database.db, rotatedKeyring)).toEqual({ rotated: 3, alreadyCurrent: 0 });
    expect(await rotateStoredSecrets(database.db, rotatedKeyring)).toEqual({ rotated: 0, alreadyCurrent: 3 });
    const onlyNewKey = parseKeyring(`second:${rotatedKeyring.keys.get("second")?.toString("base64")}`);
    expect(await readProviderApiKey(database.db, onlyNewKey, { projectId, provider: "openai" })).toBe("sk-openai-secret-1234");
    const [server] = await database.db.select().from(schema.mcpServers).where(eq(schema.mcpServers.id, serverId));
    expect(server?.secretKeyId).toBe("second");
    if (!server) throw new Error("the MCP server row is gone");
    expect(new McpConnectionManager({ keyring: onlyNewKey, logger: createLogger({ level: "silent" }) }).decryptSecrets(server)).toEqual({
      headers: { authorization: "Bearer mcp-secret-token" },
    });
    const [row] = await database.db.execute<{ key_ids: string }>(
      sql`select string_agg(distinct key_id, ',') as key_ids from project_secrets`,
    );
    expect(row?.key_ids).toBe("second");
  });

  it("removes a key with null and rejects an invalid base URL without changing anything", async () => {
    await updateProviderSettings(database.db, keyring, { userId }, { projectId, apiKeys: { anthropic: null } });
    expect((await getProviderSettings(database.db, projectId)).apiKeys.anthropic.isSet).toBe(false);
    const { ZUpdateProviderSettingsInput } = await import("./provider-settings");
    expect(ZUpdateProviderSettingsInput.safeParse({ settings: { ollama: { baseUrl: "javascript:alert(1)" } } }).success).toBe(false);
  });
});

describe("partial updates", () => {
  it("changes one field of a provider and keeps its others", async () => {
    await updateProviderSettings(
      database.db,
      keyring,
      { userId },
      { projectId, settings: { anthropic: { baseUrl: "https://anthropic.internal" } } },
    );
    await updateProviderSettings(database.db, keyring, { userId }, { projectId, settings: { anthropic: { defaultModel: "claude-x" } } });
    expect((await getProviderSettings(database.db, projectId)).settings.anthropic).toEqual({
      baseUrl: "https://anthropic.internal",
      defaultModel: "claude-x",
    });
  });
});

describe("keyring", () => {
  it("rejects short keys, duplicate ids and empty specs", () => {
    expect(() => parseKeyring("a:c2hvcnQ=")).toThrow(/32 bytes/);
    expect(() => parseKeyring(`${generateKeyringEntry("a")},${generateKeyringEntry("a")}`)).toThrow(/twice/);
    expect(() => parseKeyring("")).toThrow(/no encryption key/);
  });
});
