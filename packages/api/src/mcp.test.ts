/**
 * MCP servers connected to a project: the test server (packages/testing/src/mcp) over stdio and over
 * streamable HTTP, its tools in the project's registry as `<server>__<tool>`, called by an agent through
 * the registry's one execution path (Ajv validation, approvals, allowlists), schemas refused before a
 * model sees them, the stdio and loopback policies, secrets never returned, reconnects and invalidation.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AccountsConfig, createLogger, type Logger, McpConnectionManager, signUp, updateProviderSettings } from "@gathering/core";
import {
  createTestDatabase,
  type HttpMcpTestServer,
  type MockLlmServer,
  mcpTestServerPath,
  startHttpMcpTestServer,
  startMockLlmServer,
  type TestDatabase,
} from "@gathering/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "./context";
import { callerFor, createTestServices, testKeyring } from "./test-services";

const accounts: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "open" };
const logger = createLogger({ level: "silent" }) as Logger;
const secretValue = "s3cret-value-never-shown";
let database: TestDatabase;
let mock: MockLlmServer;
let http: HttpMcpTestServer;
let alice: Caller;
let projectId: string;
let callLog: string;
const managers: McpConnectionManager[] = [];

function manager(options: { stdioCommands?: string[]; allowedHosts?: string[] } = {}) {
  const created = new McpConnectionManager({ keyring: testKeyring, logger, stdioCommands: [process.execPath], ...options });
  managers.push(created);
  return created;
}
let connections: McpConnectionManager;
const api = (mcp: McpConnectionManager = connections) => callerFor(createTestServices(database.db, { toolServices: { mcp } }), alice);

/** The calls that really reached the stdio server, oldest first. */
function serverCalls(): Array<{ name: string; arguments: Record<string, unknown> }> {
  return readFileSync(callLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

const stdioServer = (name: string, extra: Record<string, unknown> = {}) => ({
  projectId,
  transport: "stdio" as const,
  name,
  command: process.execPath,
  args: [mcpTestServerPath()],
  env: { MCP_TEST_LOG: callLog, MCP_TEST_SECRET: secretValue },
  ...extra,
});

const openaiAgent = (name: string, extra: Record<string, unknown> = {}) =>
  api().agents.create({ projectId, name, role: `the ${name} agent`, model: { provider: "openai", model: "gpt-4o-mini" }, ...extra });

beforeAll(async () => {
  database = await createTestDatabase();
  mock = await startMockLlmServer();
  http = await startHttpMcpTestServer();
  callLog = path.join(mkdtempSync(path.join(tmpdir(), "gathering-mcp-")), "calls.jsonl");
  connections = manager();
  const account = await signUp(database.db, accounts, { email: "mcp@example.com", name: "Mia", password: "correct horse battery staple" });
  projectId = account.projectId;
  alice = { userId: account.id, source: "session" };
  await updateProviderSettings(database.db, testKeyring, alice, {
    projectId,
    apiKeys: { openai: "sk-test-openai-0001" },
    settings: { openai: { baseUrl: mock.baseUrls.openai } },
  });
  await api().mcp.create(stdioServer("calc"));
});
afterAll(async () => {
  await Promise.allSettled(managers.map((created) => created.closeAll()));
  await http?.close();
  await mock?.close();
  await database?.drop();
});
beforeEach(() => {
  mock.reset();
  writeFileSync(callLog, "");
});

describe("connecting an MCP server", () => {
  it("lists its tools, refuses schemas with $data or unknown keywords, and never returns its secrets", async () => {
    const [server] = await api().mcp.list({ projectId });
    expect(server).toMatchObject({ name: "calc", transport: "stdio", status: "connected", lastError: null, toolCount: 6 });
    expect(server?.secretNames).toEqual(["MCP_TEST_LOG", "MCP_TEST_SECRET"]);
    expect(server?.refusedTools).toEqual([
      { name: "bounded", problem: expect.stringContaining("$data") },
      { name: "fancy", problem: expect.stringMatching(/strict.*x-widget/) },
    ]);
    expect(JSON.stringify(await api().mcp.get({ projectId, serverId: server?.id ?? "" }))).not.toContain(secretValue);
    const [row] = await database.db.execute<{ secret_ciphertext: string }>(
      sql`select secret_ciphertext from mcp_servers where name = 'calc'`,
    );
    expect(row?.secret_ciphertext).toBeTruthy();
    expect(row?.secret_ciphertext).not.toContain(secretValue);

    const tools = await api().tools.list({ projectId });
    const add = tools.find((tool) => tool.name === "calc__add");
    expect(add).toMatchObject({
      category: "mcp",
      sideEffect: false,
      inputSchema: { type: "object", properties: { a: { type: "number" } }, required: ["a", "b"] },
    });
    expect(tools.find((tool) => tool.name === "calc__echo")?.sideEffect).toBe(true);
    const names = tools.map((tool) => tool.name);
    expect(names).not.toContain("calc__bounded");
    expect(names).not.toContain("calc__fancy");
    // Built-ins are still there.
    expect(names).toContain("calculator");
  });

  it("passes the stored environment to the process and reports a tool's own error", async () => {
    expect(await api().tools.test({ projectId, name: "calc__whoami", arguments: {} })).toMatchObject({
      isError: false,
      content: secretValue,
    });
    const failed = await api().tools.test({ projectId, name: "calc__fail", arguments: {} });
    expect(failed).toMatchObject({ isError: true, content: expect.stringContaining("the frobnicator is broken") });
  });

  it("refuses stdio unless GATHERING_MCP_STDIO_COMMANDS allows the command", async () => {
    await expect(api(manager({ stdioCommands: [] })).mcp.create(stdioServer("nostdio"))).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("GATHERING_MCP_STDIO_COMMANDS"),
    });
    await expect(api(manager({ stdioCommands: ["npx", "uvx"] })).mcp.create(stdioServer("other"))).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/is not one of the executables allowed in GATHERING_MCP_STDIO_COMMANDS \(npx, uvx\)/),
    });
    // A server saved while allowed is not started once the command is no longer allowed.
    const narrowed = manager({ stdioCommands: ["npx"] });
    const outcome = await api(narrowed).tools.test({ projectId, name: "calc__add", arguments: { a: 1, b: 1 } });
    expect(outcome).toMatchObject({ isError: true, content: expect.stringContaining("GATHERING_MCP_STDIO_COMMANDS") });
    expect(narrowed.openConnectionCount).toBe(0);
    expect((await api().mcp.list({ projectId })).map((server) => server.name)).toEqual(["calc"]);
  });

  it("refuses an HTTP server on loopback unless the host is allowed, and sends its headers", async () => {
    const input = {
      projectId,
      transport: "http" as const,
      name: "web",
      url: http.url,
      headers: { Authorization: "Bearer http-secret-token" },
    };
    await expect(api().mcp.create(input)).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("loopback") });
    expect(http.requests).toEqual([]);

    const allowed = manager({ allowedHosts: [`127.0.0.1:${http.port}`] });
    const server = await api(allowed).mcp.create(input);
    expect(server).toMatchObject({ status: "connected", toolCount: 6, secretNames: ["Authorization"] });
    expect(JSON.stringify(server)).not.toContain("http-secret-token");
    expect(await api(allowed).tools.test({ projectId, name: "web__add", arguments: { a: 20, b: 22 } })).toMatchObject({ content: "42" });
    expect(http.requests.length).toBeGreaterThan(0);
    expect(http.requests.every((request) => request.authorization === "Bearer http-secret-token")).toBe(true);
    // A process that does not allow the host refuses at connect time too.
    const refused = await api().tools.test({ projectId, name: "web__add", arguments: { a: 1, b: 1 } });
    expect(refused).toMatchObject({ isError: true, content: expect.stringContaining("blocked address") });
    await api(allowed).mcp.delete({ projectId, serverId: server.id });
  });

  it("stores a connection failure as the server's last error, and connects after the fix", async () => {
    const broken = await api().mcp.create(stdioServer("broken", { args: [path.join(tmpdir(), "no-such-mcp-server.mjs")] }));
    expect(broken).toMatchObject({
      status: "error",
      toolCount: 0,
      lastError: expect.stringContaining('Could not connect to the MCP server "broken"'),
    });
    const fixed = await api().mcp.update({ projectId, serverId: broken.id, args: [mcpTestServerPath()] });
    expect(fixed).toMatchObject({ status: "connected", lastError: null, toolCount: 6 });
    const disabled = await api().mcp.update({ projectId, serverId: broken.id, enabled: false });
    expect(disabled.status).toBe("disabled");
    expect((await api().tools.list({ projectId })).map((tool) => tool.name)).not.toContain("broken__add");
    await api().mcp.delete({ projectId, serverId: broken.id });
    const audit = await api().audit.list({ projectId });
    const actions = audit.events.filter((event) => event.target === "broken").map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(["mcp.create", "mcp.update", "mcp.delete"]));
    expect(JSON.stringify(audit.events)).not.toContain(secretValue);
  });

  it("refuses a second server with the same name, and names that are not slugs", async () => {
    await expect(api().mcp.create(stdioServer("calc"))).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(api().mcp.create(stdioServer("Not A Slug"))).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api().mcp.create(stdioServer("two__parts"))).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("MCP tools in an agent's run", () => {
  it("validates arguments with the tool's JSON Schema: the model gets the error, then the corrected call reaches the server", async () => {
    const agent = await openaiAgent("Adder", { tools: ["calc__add"] });
    mock.script(
      "openai",
      { type: "tool_calls", calls: [{ name: "calc__add", arguments: { a: "two", b: 3 } }] },
      { type: "tool_calls", calls: [{ name: "calc__add", arguments: { a: 2, b: 3 } }] },
      { type: "text", text: "2 + 3 = 5" },
    );
    const reply = await api().agents.chat({ projectId, agentId: agent.id, content: "What is 2 + 3?" });
    expect(reply.messages.map((message) => [message.role, message.isError])).toEqual([
      ["assistant", false],
      ["tool", true],
      ["assistant", false],
      ["tool", false],
      ["assistant", false],
    ]);
    expect(reply.messages[1]?.content).toBe("Invalid arguments for calc__add: a: must be number");
    expect(reply.messages[3]?.content).toBe("5");
    // The model was offered the tool with the server's schema, and saw the validation error.
    const firstRequest = mock.requests[0]?.body as { tools: Array<{ function: { name: string; parameters: unknown } }> };
    expect(firstRequest.tools.map((tool) => tool.function.name)).toEqual(["calc__add", "memory_store", "memory_recall", "update_profile"]);
    expect(firstRequest.tools[0]?.function.parameters).toMatchObject({ required: ["a", "b"] });
    expect(JSON.stringify(mock.requests[1]?.body)).toContain("Invalid arguments for calc__add");
    // Only the valid call reached the server.
    expect(serverCalls()).toEqual([{ name: "add", arguments: { a: 2, b: 3 } }]);
  });

  it("accepts MCP tools in an agent's allowlist only when the project's server lists them usable", async () => {
    await expect(openaiAgent("Ghost", { tools: ["calc__teleport"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("calc__teleport"),
    });
    await expect(openaiAgent("Bounded", { tools: ["calc__bounded"] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(openaiAgent("Stranger", { tools: ["other__add"] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const agent = await openaiAgent("Echoer", { tools: ["calc__echo"] });
    const updated = await api().agents.update({ projectId, agentId: agent.id, patch: { tools: ["calc__echo", "calc__add"] } });
    expect(updated.tools).toEqual(["calc__echo", "calc__add"]);
    await expect(api().agents.update({ projectId, agentId: agent.id, patch: { tools: ["calc__nope"] } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("pauses for approval of an MCP call; the call reaches the server only after the approval", async () => {
    const agent = await openaiAgent("Careful", { tools: ["calc__echo"], approvalTools: ["calc__echo"] });
    mock.script("openai", { type: "tool_calls", calls: [{ id: "call_echo_1", name: "calc__echo", arguments: { text: "launch" } }] });
    const first = await api().agents.chat({ projectId, agentId: agent.id, content: "Say launch" });
    expect(first.stop).toBe("approval_required");
    expect(first.pendingApprovals).toEqual([expect.objectContaining({ toolName: "calc__echo", arguments: { text: "launch" } })]);
    expect(serverCalls()).toEqual([]);
    await api().tools.approve({ projectId, approvalId: first.pendingApprovals[0]?.id ?? "", approve: true });
    mock.script("openai", { type: "text", text: "Launched." });
    const resumed = await api().agents.resume({ projectId, sessionId: first.sessionId });
    expect(resumed.messages.map((message) => [message.role, message.content])).toEqual([
      ["tool", "launch"],
      ["assistant", "Launched."],
    ]);
    expect(serverCalls()).toEqual([{ name: "echo", arguments: { text: "launch" } }]);
  });
});

describe("the connection manager", () => {
  it("reuses one connection, reconnects after the server died, and reconnects after an update", async () => {
    const own = manager();
    const call = (name: string, args: Record<string, unknown> = {}) => api(own).tools.test({ projectId, name, arguments: args });
    expect((await call("calc__add", { a: 1, b: 2 })).content).toBe("3");
    expect((await call("calc__add", { a: 2, b: 2 })).content).toBe("4");
    expect(own.openConnectionCount).toBe(1);

    expect((await call("calc__crash")).content).toBe("bye");
    // The process exits right after answering; the manager notices and forgets the connection.
    await expect.poll(() => own.openConnectionCount, { timeout: 5_000 }).toBe(0);
    expect((await call("calc__add", { a: 3, b: 4 })).content).toBe("7");
    expect(own.openConnectionCount).toBe(1);

    // New settings (here the environment) make the next call use a new process with them.
    const [calc] = await api(own).mcp.list({ projectId });
    await api(own).mcp.update({ projectId, serverId: calc?.id ?? "", env: { MCP_TEST_LOG: callLog, MCP_TEST_SECRET: "rotated-secret" } });
    expect((await call("calc__whoami")).content).toBe("rotated-secret");
    // Another process's manager still holds a connection opened with the old settings: it reconnects too.
    expect((await api().tools.test({ projectId, name: "calc__whoami", arguments: {} })).content).toBe("rotated-secret");
    await api(own).mcp.update({ projectId, serverId: calc?.id ?? "", env: { MCP_TEST_LOG: callLog, MCP_TEST_SECRET: secretValue } });

    await own.closeAll();
    expect(own.openConnectionCount).toBe(0);
    await expect(call("calc__add", { a: 1, b: 1 })).resolves.toMatchObject({
      isError: true,
      content: expect.stringContaining("shutting down"),
    });
  });
});
