/**
 * The MCP servers a project connects to: create, update, list, get, delete, refresh. Secrets (a stdio
 * server's environment, an HTTP server's headers) are encrypted with the row id as associated data and
 * never leave this module; callers see only their names. Saving a server connects to it and lists its
 * tools; what goes wrong is stored as its last error, never thrown at the run that wanted the tools.
 */
import { randomUUID } from "node:crypto";
import {
  type Database,
  type DbExecutor,
  deleteMcpServer as deleteMcpServerRow,
  findMcpServer,
  findMcpServerByName,
  insertMcpServer,
  listMcpServers as listMcpServerRows,
  listMcpServersByName,
  type McpServerRow,
  recordMcpServerStatus,
  updateMcpServer as updateMcpServerRow,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../../audit/audit";
import { AppError, isAppError } from "../../errors";
import type { Actor } from "../../projects/projects";
import { hasControlCharacters } from "../../validation";
import type { McpConnectionManager, McpServerSecrets } from "./connections";
import { judgeListedTools, mcpToolSeparator, storedTools } from "./mcp-tools";

export const ZMcpServerName = z
  .string()
  .trim()
  .min(1, "Give the server a name")
  .max(32, "Use at most 32 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "Use lower-case letters, digits and single dashes, e.g. github");

const ZCommand = z
  .string()
  .trim()
  .min(1, "Give the executable to run")
  .max(500)
  .refine((value) => !hasControlCharacters(value), "Commands cannot contain control characters");

const ZArgs = z
  .array(
    z
      .string()
      .max(2_000)
      .refine((value) => !value.includes("\u0000"), "Arguments cannot contain NUL"),
  )
  .max(50, "Use at most 50 arguments");

const ZUrl = z
  .string()
  .trim()
  .max(2_048)
  .pipe(z.url({ protocol: /^https?$/, message: "Use an http:// or https:// URL" }));

const ZSecretValue = z
  .string()
  .max(8_192)
  .refine((value) => !hasControlCharacters(value), "Values cannot contain line breaks or other control characters");

const ZEnv = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "Variable names are letters, digits and _"), ZSecretValue)
  .refine((entries) => Object.keys(entries).length <= 32, "Use at most 32 variables");

const ZHeaders = z
  .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, "Not a valid header name"), ZSecretValue)
  .refine((entries) => Object.keys(entries).length <= 32, "Use at most 32 headers");

export const ZCreateMcpServerInput = z.discriminatedUnion("transport", [
  z.object({
    transport: z.literal("stdio"),
    name: ZMcpServerName,
    command: ZCommand,
    args: ZArgs.default([]),
    /** Environment of the server process (secrets). */
    env: ZEnv.default({}),
    enabled: z.boolean().default(true),
  }),
  z.object({
    transport: z.literal("http"),
    name: ZMcpServerName,
    url: ZUrl,
    /** Sent with every request, e.g. Authorization (secrets). */
    headers: ZHeaders.default({}),
    enabled: z.boolean().default(true),
  }),
]);
export type TCreateMcpServerInput = z.input<typeof ZCreateMcpServerInput>;

export const ZUpdateMcpServerInput = z.object({
  serverId: z.uuid(),
  name: ZMcpServerName.optional(),
  enabled: z.boolean().optional(),
  command: ZCommand.optional(),
  args: ZArgs.optional(),
  url: ZUrl.optional(),
  /** Replaces all of a stdio server's variables; omitted keeps them. */
  env: ZEnv.optional(),
  /** Replaces all of an HTTP server's headers; omitted keeps them. */
  headers: ZHeaders.optional(),
});
export type TUpdateMcpServerInput = z.input<typeof ZUpdateMcpServerInput>;

export const ZMcpServerIdInput = z.object({ serverId: z.uuid() });

export function toMcpServer(row: McpServerRow) {
  const tools = storedTools(row);
  const status: "disabled" | "connected" | "error" | "never_connected" = !row.enabled
    ? "disabled"
    : row.lastError
      ? "error"
      : row.lastConnectedAt
        ? "connected"
        : "never_connected";
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    transport: row.transport as "stdio" | "http",
    command: row.command,
    args: (row.args as string[] | null) ?? [],
    url: row.url,
    /** Names of the stored environment variables or headers, never their values. */
    secretNames: (row.secretNames as string[] | null) ?? [],
    enabled: row.enabled,
    status,
    tools,
    toolCount: tools.filter((tool) => !tool.problem).length,
    refusedTools: tools.filter((tool) => tool.problem).map((tool) => ({ name: tool.name, problem: tool.problem as string })),
    lastError: row.lastError,
    lastConnectedAt: row.lastConnectedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type McpServer = ReturnType<typeof toMcpServer>;

async function assertNameFree(db: DbExecutor, projectId: string, name: string, exceptServerId?: string) {
  const existing = await findMcpServerByName(db, { projectId, name });
  if (existing && existing.id !== exceptServerId) {
    throw new AppError("CONFLICT", `An MCP server named "${name}" already exists in this project`, { field: "name" });
  }
}

function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function secretColumns(mcp: McpConnectionManager, serverId: string, secrets: McpServerSecrets) {
  const names = [...Object.keys(secrets.env ?? {}), ...Object.keys(secrets.headers ?? {})].sort();
  if (names.length === 0) return { secretKeyId: null, secretCiphertext: null, secretNames: [] };
  return { ...mcp.encryptSecrets(serverId, secrets), secretNames: names };
}

async function requireServer(db: DbExecutor, input: { projectId: string; serverId: string }): Promise<McpServerRow> {
  const row = await findMcpServer(db, input);
  if (!row) throw new AppError("NOT_FOUND", "MCP server not found");
  return row;
}

export async function listMcpServers(db: DbExecutor, input: { projectId: string }): Promise<McpServer[]> {
  return (await listMcpServerRows(db, { projectId: input.projectId })).map(toMcpServer);
}

export async function getMcpServer(db: DbExecutor, input: { projectId: string; serverId: string }): Promise<McpServer> {
  return toMcpServer(await requireServer(db, input));
}

export async function createMcpServer(
  db: Database,
  mcp: McpConnectionManager,
  actor: Actor,
  input: { projectId: string } & TCreateMcpServerInput,
): Promise<McpServer> {
  const { projectId, ...fields } = input;
  const parsed = ZCreateMcpServerInput.parse(fields);
  if (parsed.transport === "stdio") mcp.assertStdioCommandAllowed(parsed.command);
  else mcp.assertUrlAllowed(parsed.url);
  // The id is chosen first: it is the associated data of the encrypted secrets.
  const id = randomUUID();
  const secrets: McpServerSecrets = parsed.transport === "stdio" ? { env: parsed.env } : { headers: parsed.headers };
  const row = await db
    .transaction(async (tx) => {
      await assertNameFree(tx, projectId, parsed.name);
      const inserted = await insertMcpServer(tx, {
        id,
        projectId,
        name: parsed.name,
        transport: parsed.transport,
        command: parsed.transport === "stdio" ? parsed.command : null,
        args: parsed.transport === "stdio" ? parsed.args : [],
        url: parsed.transport === "http" ? parsed.url : null,
        enabled: parsed.enabled,
        createdBy: actor.userId,
        ...secretColumns(mcp, id, secrets),
      });
      await recordAudit(tx, {
        projectId,
        actorUserId: actor.userId,
        action: "mcp.create",
        target: inserted.name,
        metadata: { serverId: inserted.id, transport: inserted.transport, secretNames: inserted.secretNames },
        ip: actor.ip,
      });
      return inserted;
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error))
        throw new AppError("CONFLICT", `An MCP server named "${parsed.name}" already exists in this project`, { field: "name" });
      throw error;
    });
  return row.enabled ? connectAndList(db, mcp, row) : toMcpServer(row);
}

export async function updateMcpServer(
  db: Database,
  mcp: McpConnectionManager,
  actor: Actor,
  input: { projectId: string } & TUpdateMcpServerInput,
): Promise<McpServer> {
  const { projectId, ...fields } = input;
  const { serverId, ...patch } = ZUpdateMcpServerInput.parse(fields);
  const row = await db.transaction(async (tx) => {
    const current = await requireServer(tx, { projectId, serverId });
    const isStdio = current.transport === "stdio";
    if (isStdio && (patch.url !== undefined || patch.headers !== undefined)) {
      throw new AppError("VALIDATION_FAILED", "A stdio server has a command, arguments and environment, not a URL or headers", {
        field: "url",
      });
    }
    if (!isStdio && (patch.command !== undefined || patch.args !== undefined || patch.env !== undefined)) {
      throw new AppError("VALIDATION_FAILED", "An HTTP server has a URL and headers, not a command or environment", { field: "command" });
    }
    if (patch.command !== undefined) mcp.assertStdioCommandAllowed(patch.command);
    if (patch.url !== undefined) mcp.assertUrlAllowed(patch.url);
    if (patch.name !== undefined && patch.name !== current.name) await assertNameFree(tx, projectId, patch.name, current.id);
    const secrets = patch.env !== undefined ? { env: patch.env } : patch.headers !== undefined ? { headers: patch.headers } : undefined;
    const updated = await updateMcpServerRow(tx, {
      projectId,
      serverId,
      values: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.command !== undefined ? { command: patch.command } : {}),
        ...(patch.args !== undefined ? { args: patch.args } : {}),
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(secrets ? secretColumns(mcp, current.id, secrets) : {}),
        // Settings that change what is connected to clear the last outcome; a new connection sets it again.
        ...(patch.command !== undefined || patch.args !== undefined || patch.url !== undefined || secrets
          ? { lastError: null, lastConnectedAt: null }
          : {}),
      },
    });
    if (!updated) throw new AppError("NOT_FOUND", "MCP server not found");
    await recordAudit(tx, {
      projectId,
      actorUserId: actor.userId,
      action: "mcp.update",
      target: updated.name,
      // Names what changed, never secret values.
      metadata: { serverId: updated.id, changed: Object.keys(patch), secretNames: updated.secretNames },
      ip: actor.ip,
    });
    return updated;
  });
  await mcp.invalidate(row.id);
  return row.enabled ? connectAndList(db, mcp, row) : toMcpServer(row);
}

export async function deleteMcpServer(
  db: Database,
  mcp: McpConnectionManager,
  actor: Actor,
  input: { projectId: string; serverId: string },
): Promise<{ id: string; name: string }> {
  const { serverId } = ZMcpServerIdInput.parse({ serverId: input.serverId });
  const row = await db.transaction(async (tx) => {
    const deleted = await deleteMcpServerRow(tx, { projectId: input.projectId, serverId });
    if (!deleted) throw new AppError("NOT_FOUND", "MCP server not found");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "mcp.delete",
      target: deleted.name,
      metadata: { serverId: deleted.id },
      ip: actor.ip,
    });
    return deleted;
  });
  await mcp.invalidate(row.id);
  return { id: row.id, name: row.name };
}

/** Connects afresh (the test-connection button) and lists the server's tools again. */
export async function refreshMcpServer(
  db: Database,
  mcp: McpConnectionManager,
  input: { projectId: string; serverId: string },
): Promise<McpServer> {
  const row = await requireServer(db, input);
  if (!row.enabled) throw new AppError("PRECONDITION_FAILED", `The MCP server "${row.name}" is disabled: enable it first`);
  await mcp.invalidate(row.id);
  return connectAndList(db, mcp, row);
}

/** Lists the server's tools, judges their schemas and stores the outcome; failures become the last error. */
async function connectAndList(db: Database, mcp: McpConnectionManager, row: McpServerRow): Promise<McpServer> {
  let recorded: McpServerRow | undefined;
  try {
    const listed = judgeListedTools(row.name, await mcp.listTools(row, AbortSignal.timeout(30_000)));
    const refused = listed.filter((tool) => tool.problem);
    recorded = await recordMcpServerStatus(db, {
      serverId: row.id,
      tools: listed,
      lastError: null,
      lastConnectedAt: new Date(),
    });
    if (refused.length > 0) {
      mcp.logger.warn({ mcpServer: row.name, refused: refused.map((tool) => tool.name) }, "MCP tools refused");
    }
  } catch (error) {
    const message = isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
    recorded = await recordMcpServerStatus(db, { serverId: row.id, lastError: message.slice(0, 2_000) });
  }
  return toMcpServer(recorded ?? row);
}

/**
 * Which of these agent tool names are not a listed, usable tool of one of the project's MCP servers
 * (`<server>__<tool>`). Disabled servers count: turning a server off must not make agents unsaveable.
 */
export async function unknownMcpToolNames(db: DbExecutor, projectId: string, names: readonly string[]): Promise<string[]> {
  const candidates = names.filter((name) => name.includes(mcpToolSeparator));
  if (candidates.length === 0) return [...names];
  const serverNames = [...new Set(candidates.map((name) => name.slice(0, name.indexOf(mcpToolSeparator))))];
  const servers = await listMcpServersByName(db, { projectId, names: serverNames });
  const known = new Set(
    servers.flatMap((server) =>
      storedTools(server)
        .filter((tool) => !tool.problem)
        .map((tool) => `${server.name}${mcpToolSeparator}${tool.name}`),
    ),
  );
  return names.filter((name) => !known.has(name));
}
