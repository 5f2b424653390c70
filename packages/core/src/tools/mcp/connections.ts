/**
 * This process's connections to MCP servers. A connection opens on first use, is reused by every later
 * call, closes after a while without use, and is dropped when it fails or when the server's settings
 * change (each connection remembers a fingerprint of the settings it was opened with, so a change made
 * by another process is noticed too), so the next call connects again. `closeAll` at shutdown.
 *
 * Policy lives here as well: which executables stdio servers may run (GATHERING_MCP_STDIO_COMMANDS),
 * which private hosts HTTP servers may be on (GATHERING_ALLOWED_HOSTS, through the outbound HTTP guard).
 */
import type { McpServerRow } from "@gathering/db";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { type CallToolResult, ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import { AppError, isAppError } from "../../errors";
import { decryptSecret, encryptSecret, type Keyring } from "../../security/encryption";
import { assertUrlAllowed, createGuardedFetch } from "../../security/http-guard";
import { GATHERING_VERSION } from "../../version";
import { canonicalJson } from "../approvals";

/** What a server's secret value holds: environment for stdio, headers for HTTP. */
export interface McpServerSecrets {
  env?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface McpConnectionOptions {
  keyring: Keyring;
  logger: Logger;
  /** `host` or `host:port` entries HTTP servers may be on although private. */
  allowedHosts?: readonly string[];
  /** Executables stdio servers may be started with; `*` allows any; empty refuses stdio. */
  stdioCommands?: readonly string[];
  /** A connection unused this long is closed. Default 5 minutes. */
  idleMs?: number;
  /** Time to start (or reach) a server and complete the MCP handshake. Default 20 s. */
  connectTimeoutMs?: number;
}

interface Connection {
  fingerprint: string;
  client: Promise<Client>;
  inFlight: number;
  idleTimer?: NodeJS.Timeout;
  isClosed: boolean;
}

export const stdioCommandsVariable = "GATHERING_MCP_STDIO_COMMANDS";
const maxToolPages = 20;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A failure of the connection itself (not an error the server answered with): drop it and connect again next time. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  if (isAppError(error)) return false;
  return !(error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError"));
}

export class McpConnectionManager {
  readonly allowedHosts: readonly string[];
  readonly stdioCommands: readonly string[];
  private readonly keyring: Keyring;
  readonly logger: Logger;
  private readonly idleMs: number;
  private readonly connectTimeoutMs: number;
  private readonly connections = new Map<string, Connection>();
  private readonly guardedFetch: ReturnType<typeof createGuardedFetch>;
  private isShuttingDown = false;

  constructor(options: McpConnectionOptions) {
    this.keyring = options.keyring;
    this.logger = options.logger;
    this.allowedHosts = options.allowedHosts ?? [];
    this.stdioCommands = (options.stdioCommands ?? []).map((command) => command.trim()).filter(Boolean);
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
    this.guardedFetch = createGuardedFetch({ allowedHosts: this.allowedHosts });
  }

  /** Refuses a stdio command this installation does not allow, naming the variable that allows it. */
  assertStdioCommandAllowed(command: string): void {
    if (this.stdioCommands.includes("*") || this.stdioCommands.includes(command)) return;
    const message =
      this.stdioCommands.length === 0
        ? `MCP servers over stdio are turned off on this installation: the administrator lists the executables they may run in ${stdioCommandsVariable}`
        : `"${command}" is not one of the executables allowed in ${stdioCommandsVariable} (${this.stdioCommands.join(", ")})`;
    throw new AppError("FORBIDDEN", message, { field: "command", variable: stdioCommandsVariable });
  }

  /** Refuses an HTTP server URL the outbound HTTP guard would refuse (checked again at connect time). */
  assertUrlAllowed(url: string): void {
    assertUrlAllowed(url, this.allowedHosts);
  }

  encryptSecrets(serverId: string, secrets: McpServerSecrets): { secretKeyId: string; secretCiphertext: string } {
    const encrypted = encryptSecret(this.keyring, JSON.stringify(secrets), serverId);
    return { secretKeyId: encrypted.keyId, secretCiphertext: encrypted.ciphertext };
  }

  decryptSecrets(row: Pick<McpServerRow, "id" | "secretKeyId" | "secretCiphertext">): McpServerSecrets {
    if (!row.secretKeyId || !row.secretCiphertext) return {};
    return JSON.parse(
      decryptSecret(this.keyring, { keyId: row.secretKeyId, ciphertext: row.secretCiphertext }, row.id),
    ) as McpServerSecrets;
  }

  /** Every tool the server lists (all pages). */
  async listTools(row: McpServerRow, signal?: AbortSignal): Promise<Tool[]> {
    return this.withClient(
      row,
      async (client) => {
        const tools: Tool[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < maxToolPages; page += 1) {
          const result = await client.listTools(cursor ? { cursor } : {}, {
            timeout: this.connectTimeoutMs,
            ...(signal ? { signal } : {}),
          });
          tools.push(...result.tools);
          cursor = result.nextCursor;
          if (!cursor) break;
        }
        return tools;
      },
      signal,
    );
  }

  async callTool(
    row: McpServerRow,
    input: { name: string; arguments: Record<string, unknown>; signal: AbortSignal; timeoutMs: number },
  ): Promise<CallToolResult> {
    return this.withClient(
      row,
      async (client) => {
        // The SDK's own timeout is set past ours, so the tool's timeout (in the signal) is what fires.
        const result = await client.callTool({ name: input.name, arguments: input.arguments }, undefined, {
          signal: input.signal,
          timeout: input.timeoutMs + 1_000,
        });
        return result as CallToolResult;
      },
      input.signal,
    );
  }

  /** Closes the server's connection (after an update or a delete); the next call connects again. */
  async invalidate(serverId: string): Promise<void> {
    const connection = this.connections.get(serverId);
    if (connection) await this.close(serverId, connection);
  }

  /** Closes every connection and refuses new ones (process shutdown). */
  async closeAll(): Promise<void> {
    this.isShuttingDown = true;
    await Promise.allSettled([...this.connections].map(([serverId, connection]) => this.close(serverId, connection)));
  }

  /** How many connections are open or opening (for tests and status). */
  get openConnectionCount(): number {
    return this.connections.size;
  }

  isConnected(serverId: string): boolean {
    return this.connections.has(serverId);
  }

  private fingerprintOf(row: McpServerRow): string {
    return canonicalJson({
      transport: row.transport,
      command: row.command,
      args: row.args,
      url: row.url,
      secret: row.secretCiphertext,
      enabled: row.enabled,
    });
  }

  private async withClient<T>(row: McpServerRow, work: (client: Client) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const connection = this.connectionFor(row);
    connection.inFlight += 1;
    clearTimeout(connection.idleTimer);
    try {
      const client = await connection.client;
      return await work(client);
    } catch (error) {
      if (isConnectionFailure(error) && !signal?.aborted) {
        this.logger.warn({ err: error, mcpServer: row.name, mcpServerId: row.id }, "MCP connection failed; it reconnects on next use");
        await this.close(row.id, connection);
      }
      throw error;
    } finally {
      connection.inFlight -= 1;
      if (connection.inFlight === 0 && !connection.isClosed) {
        connection.idleTimer = setTimeout(() => {
          if (connection.inFlight === 0) void this.close(row.id, connection);
        }, this.idleMs);
        connection.idleTimer.unref();
      }
    }
  }

  private connectionFor(row: McpServerRow): Connection {
    if (this.isShuttingDown) throw new AppError("UNAVAILABLE", "This process is shutting down");
    if (!row.enabled) throw new AppError("PRECONDITION_FAILED", `The MCP server "${row.name}" is disabled`);
    const fingerprint = this.fingerprintOf(row);
    const existing = this.connections.get(row.id);
    if (existing && existing.fingerprint === fingerprint && !existing.isClosed) return existing;
    if (existing) void this.close(row.id, existing);
    const connection = { fingerprint, inFlight: 0, isClosed: false } as Connection;
    connection.client = this.connect(row, () => {
      // The server went away (process exited, stream ended): the next call connects again.
      connection.isClosed = true;
      if (this.connections.get(row.id) === connection) this.connections.delete(row.id);
    });
    // A connection that could not be opened is forgotten at once, so the next call tries again.
    connection.client.catch(() => {
      if (this.connections.get(row.id) === connection) this.connections.delete(row.id);
      connection.isClosed = true;
    });
    this.connections.set(row.id, connection);
    return connection;
  }

  private async close(serverId: string, connection: Connection): Promise<void> {
    if (this.connections.get(serverId) === connection) this.connections.delete(serverId);
    if (connection.isClosed) return;
    connection.isClosed = true;
    clearTimeout(connection.idleTimer);
    const client = await connection.client.catch(() => undefined);
    await client
      ?.close()
      .catch((error: unknown) => this.logger.debug({ err: error, mcpServerId: serverId }, "closing an MCP connection failed"));
  }

  private async connect(row: McpServerRow, onClosed: () => void): Promise<Client> {
    const secrets = this.decryptSecrets(row);
    let transport: Transport;
    let stderrTail = "";
    if (row.transport === "stdio") {
      if (!row.command) throw new AppError("PRECONDITION_FAILED", `The MCP server "${row.name}" has no command`);
      // Checked again here: the allowed list may have been narrowed since the server was saved.
      this.assertStdioCommandAllowed(row.command);
      const stdio = new StdioClientTransport({
        command: row.command,
        args: (row.args as string[] | null) ?? [],
        // Only the SDK's short list of safe variables (PATH, HOME, ...) plus the server's own: none of ours.
        env: { ...getDefaultEnvironment(), ...(secrets.env ?? {}) },
        stderr: "pipe",
      });
      stdio.stderr?.on("data", (chunk: Buffer) => {
        stderrTail = `${stderrTail}${chunk.toString("utf8")}`.slice(-2_000);
      });
      transport = stdio;
    } else if (row.transport === "http") {
      if (!row.url) throw new AppError("PRECONDITION_FAILED", `The MCP server "${row.name}" has no URL`);
      this.assertUrlAllowed(row.url);
      transport = new StreamableHTTPClientTransport(new URL(row.url), {
        fetch: this.guardedFetch as unknown as typeof fetch,
        requestInit: { headers: secrets.headers ?? {} },
      });
    } else {
      throw new AppError("PRECONDITION_FAILED", `Unknown MCP transport "${row.transport}"`);
    }
    const client = new Client({ name: "gathering", version: GATHERING_VERSION }, { capabilities: {} });
    client.onclose = onClosed;
    client.onerror = (error) => this.logger.debug({ err: error, mcpServer: row.name }, "MCP transport reported an error");
    try {
      await client.connect(transport, { timeout: this.connectTimeoutMs });
    } catch (error) {
      await client.close().catch(() => {});
      if (isAppError(error)) throw error;
      const detail = stderrTail.trim().split("\n").slice(-3).join(" | ").slice(0, 500);
      throw new AppError(
        "UNAVAILABLE",
        `Could not connect to the MCP server "${row.name}": ${messageOf(error).slice(0, 500)}${detail ? ` (stderr: ${detail})` : ""}`,
        { mcpServer: row.name },
        { cause: error },
      );
    }
    this.logger.info({ mcpServer: row.name, mcpServerId: row.id, transport: row.transport }, "MCP server connected");
    return client;
  }
}
