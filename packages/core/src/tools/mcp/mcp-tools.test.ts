/**
 * MCP tools through the registry's one execution path, without a database: a caller's abort reaches the
 * server as a cancellation, the output cap applies, and the schema check refuses what it must.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { McpServerRow } from "@gathering/db";
import { mcpTestServerPath, mcpTestTools } from "@gathering/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger, type Logger } from "../../logger";
import { parseKeyring } from "../../security/encryption";
import { executeToolCall, type ToolContext, type ToolDefinition } from "../registry";
import { McpConnectionManager } from "./connections";
import { judgeListedTools, toolsOfServer } from "./mcp-tools";
import { checkToolInputSchema } from "./schema-check";

const logger = createLogger({ level: "silent" }) as Logger;
const keyring = parseKeyring("test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const mcp = new McpConnectionManager({ keyring, logger, stdioCommands: [process.execPath] });
const callLog = path.join(mkdtempSync(path.join(tmpdir(), "gathering-mcp-core-")), "calls.jsonl");
writeFileSync(callLog, "");
const serverId = "6f1c2a52-8d7e-4a57-9a55-1f1f4c3b9e01";
const row = {
  id: serverId,
  projectId: "00000000-0000-4000-8000-000000000000",
  name: "probe",
  transport: "stdio",
  command: process.execPath,
  args: [mcpTestServerPath()],
  url: null,
  ...mcp.encryptSecrets(serverId, { env: { MCP_TEST_LOG: callLog } }),
  secretNames: ["MCP_TEST_LOG"],
  enabled: true,
  tools: judgeListedTools("probe", mcpTestTools),
  lastError: null,
  lastConnectedAt: new Date(),
  createdBy: null,
  createdAt: new Date(),
  updatedAt: new Date(),
} satisfies McpServerRow;

const tools = new Map<string, ToolDefinition>(toolsOfServer(row, mcp).map((tool) => [tool.name, tool]));
const context = (signal: AbortSignal): ToolContext => ({
  db: undefined as never,
  projectId: row.projectId,
  agentId: "",
  userId: null,
  sessionId: "s",
  idempotencyKey: "s:1",
  signal,
  logger,
  services: { mcp },
});

afterAll(() => mcp.closeAll());

describe("MCP tools in the registry", () => {
  it("offers only the tools whose schemas passed, under <server>__<tool>", () => {
    expect([...tools.keys()].sort()).toEqual(["probe__add", "probe__crash", "probe__echo", "probe__fail", "probe__slow", "probe__whoami"]);
  });

  it("cancels the server's work when the caller aborts", async () => {
    const controller = new AbortController();
    const call = executeToolCall(tools, { id: "1", name: "probe__slow", arguments: { ms: 20_000 } }, context(controller.signal));
    // Abort once the server is in the call (spawning it can take a while on a loaded machine), so the
    // cancellation has something to cancel; the call would otherwise take 20 s.
    await expect
      .poll(() => readFileSync(callLog, "utf8"), { timeout: 15_000 })
      .toContain(JSON.stringify({ name: "slow", arguments: { ms: 20_000 } }));
    controller.abort(new Error("the user stopped the run"));
    await expect(call).rejects.toThrow("the user stopped the run");
    await expect
      .poll(() => readFileSync(callLog, "utf8"), { timeout: 10_000 })
      .toContain(JSON.stringify({ name: "slow:cancelled", arguments: { ms: 20_000 } }));
  });

  it("caps the output like any tool's", async () => {
    const echo = tools.get("probe__echo") as ToolDefinition;
    const capped = new Map([["probe__echo", { ...echo, maxOutputChars: 10 }]]);
    const outcome = await executeToolCall(
      capped,
      { id: "2", name: "probe__echo", arguments: { text: "x".repeat(50) } },
      context(new AbortController().signal),
    );
    expect(outcome).toEqual({ content: `${"x".repeat(10)}\n[output truncated at 10 characters]`, isError: false });
  });
});

describe("checkToolInputSchema", () => {
  it("refuses $data anywhere, unknown keywords and formats, and non-object inputs", () => {
    const refused = (schema: unknown) => {
      const result = checkToolInputSchema(schema);
      return result.isUsable ? null : result.problem;
    };
    expect(refused({ type: "object", properties: { a: { type: "array", items: { const: { $data: "/b" } } } } })).toContain("$data");
    expect(refused({ type: "object", properties: { a: { type: "string", format: "no-such-format" } } })).toContain("strict");
    expect(refused({ type: "object", properties: { a: { typo: true } } })).toContain("strict");
    expect(refused({ type: "string" })).toContain('"type": "object"');
    expect(refused([])).toContain("not a JSON object");
    expect(refused({ type: "object", $schema: "http://example.com/my-dialect" })).toContain("not supported");
    expect(refused({ type: "object", properties: { email: { type: "string", format: "email" } }, required: ["email"] })).toBeNull();
    expect(
      refused({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: { n: { type: "integer" } } }),
    ).toBeNull();
  });

  it("describes invalid arguments readably", () => {
    const result = checkToolInputSchema({
      type: "object",
      properties: { n: { type: "integer", minimum: 1 }, tag: { type: "string" } },
      required: ["tag"],
      additionalProperties: false,
    });
    if (!result.isUsable) throw new Error(result.problem);
    expect(result.check({ n: 0, extra: 1 })).toBe("tag: is required; extra: is not allowed; n: must be >= 1");
    expect(result.check({ tag: "ok", n: 2 })).toBeNull();
  });
});
