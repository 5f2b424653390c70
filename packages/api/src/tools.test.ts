/**
 * The tool registry through the API and through agents: listing with schemas, the playground, a model
 * that corrects its arguments after a validation error, unknown tools refused on agents, delegation.
 */
import { type AccountsConfig, signUp, updateProviderSettings } from "@gathering/core";
import { createTestDatabase, type MockLlmServer, startMockLlmServer, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "./context";
import { callerFor, createTestServices, testKeyring } from "./test-services";

const accounts: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "open" };
let database: TestDatabase;
let mock: MockLlmServer;
let alice: Caller;
let projectId: string;

const api = () => callerFor(createTestServices(database.db), alice);
const openaiAgent = (name: string, extra: Record<string, unknown> = {}) =>
  api().agents.create({ projectId, name, role: `the ${name} agent`, model: { provider: "openai", model: "gpt-4o-mini" }, ...extra });

beforeAll(async () => {
  database = await createTestDatabase();
  mock = await startMockLlmServer();
  const account = await signUp(database.db, accounts, {
    email: "tools@example.com",
    name: "Tess",
    password: "correct horse battery staple",
  });
  projectId = account.projectId;
  alice = { userId: account.id, source: "session" };
  await updateProviderSettings(database.db, testKeyring, alice, {
    projectId,
    apiKeys: { openai: "sk-test-openai-0001" },
    settings: { openai: { baseUrl: mock.baseUrls.openai } },
  });
});
afterAll(async () => {
  await mock?.close();
  await database?.drop();
});
beforeEach(() => mock.reset());

describe("tools.list and tools.test", () => {
  it("lists every built-in tool with its JSON Schema and flags", async () => {
    const tools = await api().tools.list({ projectId });
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(byName.get("memory_store")).toMatchObject({
      category: "memory",
      sideEffect: true,
      requiresApproval: false,
      inputSchema: { type: "object", properties: { fact: { type: "string" } }, required: ["fact"] },
    });
    expect(byName.get("ask_agent")?.inputSchema).toMatchObject({ required: ["agent", "question"] });
    for (const tool of tools) expect(tool.description.length, tool.name).toBeGreaterThan(20);
  });

  it("runs a tool by hand, and reports invalid arguments as a tool error", async () => {
    const agent = await openaiAgent("Keeper");
    const stored = await api().tools.test({
      projectId,
      name: "memory_store",
      agentId: agent.id,
      arguments: { fact: "The office closes at six" },
    });
    expect(stored).toMatchObject({ isError: false });
    const recalled = await api().tools.test({
      projectId,
      name: "memory_recall",
      agentId: agent.id,
      arguments: { query: "when does the office close" },
    });
    expect(recalled.content).toContain("The office closes at six");
    const invalid = await api().tools.test({ projectId, name: "memory_recall", agentId: agent.id, arguments: { query: 42 } });
    expect(invalid).toMatchObject({ isError: true, content: expect.stringContaining("query") });
    await expect(api().tools.test({ projectId, name: "no_such_tool", arguments: {} })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api().tools.test({ projectId, name: "memory_store", arguments: { fact: "x" } })).rejects.toBeInstanceOf(TRPCError);
  });
});

describe("tools in an agent's run", () => {
  it("refuses an agent that names a tool that does not exist", async () => {
    await expect(openaiAgent("Dreamer", { tools: ["teleport"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("teleport"),
    });
  });

  it("gives the model the validation error, and the corrected call succeeds", async () => {
    const agent = await openaiAgent("Learner");
    mock.script(
      "openai",
      { type: "tool_calls", calls: [{ name: "memory_store", arguments: { facts: ["wrong shape"] } }] },
      { type: "tool_calls", calls: [{ name: "memory_store", arguments: { fact: "Invoices are due on the 5th" } }] },
      { type: "text", text: "Stored it." },
    );
    const reply = await api().agents.chat({ projectId, agentId: agent.id, content: "Remember: invoices are due on the 5th" });
    expect(reply.messages.map((message) => [message.role, message.isError])).toEqual([
      ["assistant", false],
      ["tool", true],
      ["assistant", false],
      ["tool", false],
      ["assistant", false],
    ]);
    expect(reply.messages[1]?.content).toMatch(/Invalid arguments for memory_store: fact/);
    // The model saw the error text as the tool's result before it corrected itself.
    const secondRequest = JSON.stringify(mock.requests[1]?.body);
    expect(secondRequest).toContain("Invalid arguments for memory_store");
    const memory = await api().agents.memory.list({ projectId, agentId: agent.id });
    expect(memory.memories.map((entry) => entry.content)).toEqual(["Invoices are due on the 5th"]);
  });

  it("delegates with ask_agent: the other agent answers in its own transcript, billed to it", async () => {
    const researcher = await openaiAgent("Researcher");
    const lead = await openaiAgent("Lead", { tools: ["ask_agent"] });
    mock.script(
      "openai",
      {
        type: "tool_calls",
        calls: [{ name: "ask_agent", arguments: { agent: "researcher", question: "What is the boiling point of water at sea level?" } }],
      },
      { type: "text", text: "100 °C at sea level.", usage: { inputTokens: 20, outputTokens: 6 } },
      { type: "text", text: "The researcher says: 100 °C." },
    );
    const reply = await api().agents.chat({ projectId, agentId: lead.id, content: "Find out the boiling point of water" });
    expect(reply.messages.at(-1)?.content).toBe("The researcher says: 100 °C.");
    expect(JSON.parse(reply.messages[1]?.content ?? "{}")).toEqual({ agent: "researcher", answer: "100 °C at sea level." });
    // The second request was the researcher's own, with its persona and only the question.
    const researcherRequest = mock.requests[1]?.body as { messages: Array<{ role: string; content: string }> };
    expect(researcherRequest.messages[0]?.content).toContain("You are Researcher");
    expect(researcherRequest.messages.at(-1)?.content).toBe("What is the boiling point of water at sea level?");
    const sessions = await api().agents.sessions.list({ projectId, agentId: researcher.id, mine: false });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.kind).toBe("task");
  });

  it("stops delegation loops at the depth limit", async () => {
    await openaiAgent("Ping", { tools: ["ask_agent"] });
    const pong = await openaiAgent("Pong", { tools: ["ask_agent"] });
    // Each agent asks the other, forever; the fourth level is refused and answered as a tool error.
    const ask = (agent: string) => ({
      type: "tool_calls" as const,
      calls: [{ name: "ask_agent", arguments: { agent, question: "Ask back" } }],
    });
    mock.script(
      "openai",
      ask("Ping"),
      ask("Pong"),
      ask("Ping"),
      ask("Pong"),
      { type: "echo" },
      { type: "echo" },
      { type: "echo" },
      { type: "echo" },
    );
    const reply = await api().agents.chat({ projectId, agentId: pong.id, content: "Start" });
    expect(reply.stop).toBe("end");
    const transcripts = JSON.stringify(mock.requests.map((request) => request.body));
    expect(transcripts).toContain("at most 3 levels deep");
  });
});

describe("approvals", () => {
  it("pauses the chat until a person approves; the call then runs once, and a replayed approval is refused", async () => {
    const agent = await openaiAgent("Careful", { approvalTools: ["memory_store"] });
    mock.script("openai", {
      type: "tool_calls",
      calls: [{ id: "call_store_1", name: "memory_store", arguments: { fact: "The vault code is 1234" } }],
    });
    const first = await api().agents.chat({ projectId, agentId: agent.id, content: "Remember the vault code 1234" });
    expect(first.stop).toBe("approval_required");
    expect(first.pendingApprovals).toEqual([
      expect.objectContaining({
        toolName: "memory_store",
        arguments: { fact: "The vault code is 1234" },
        status: "pending",
        toolCallId: "call_store_1",
      }),
    ]);
    // Nothing ran yet: no memory, and no tool result in the transcript.
    expect((await api().agents.memory.list({ projectId, agentId: agent.id })).memories).toEqual([]);
    expect(first.messages.map((message) => message.role)).toEqual(["assistant"]);
    const approvalId = first.pendingApprovals[0]?.id ?? "";
    expect((await api().tools.approvals({ projectId, status: "pending" })).map((approval) => approval.id)).toContain(approvalId);

    // Resuming before a decision changes nothing and calls no model.
    const early = await api().agents.resume({ projectId, sessionId: first.sessionId });
    expect(early.stop).toBe("approval_required");
    expect(mock.requests).toHaveLength(1);

    await api().tools.approve({ projectId, approvalId, approve: true });
    await expect(api().tools.approve({ projectId, approvalId, approve: true })).rejects.toMatchObject({ code: "CONFLICT" });
    mock.script("openai", { type: "text", text: "Stored the code." });
    const resumed = await api().agents.resume({ projectId, sessionId: first.sessionId });
    expect(resumed.stop).toBe("end");
    expect(resumed.messages.map((message) => [message.role, message.isError])).toEqual([
      ["tool", false],
      ["assistant", false],
    ]);
    expect((await api().agents.memory.list({ projectId, agentId: agent.id })).memories.map((memory) => memory.content)).toEqual([
      "The vault code is 1234",
    ]);
    // Spent: resuming again runs nothing twice, and the approval cannot be decided again.
    mock.script("openai", { type: "text", text: "Nothing to do." });
    await api().agents.resume({ projectId, sessionId: first.sessionId });
    expect((await api().agents.memory.list({ projectId, agentId: agent.id })).memories).toHaveLength(1);
    expect((await api().tools.approvals({ projectId })).find((approval) => approval.id === approvalId)?.status).toBe("used");
    await expect(api().tools.approve({ projectId, approvalId, approve: false })).rejects.toMatchObject({ code: "CONFLICT" });
    const audit = await api().audit.list({ projectId, action: "tool.approve" });
    expect(audit.events.map((event) => event.target)).toContain("memory_store");
  });

  it("reports a rejection to the model, which carries on without the call", async () => {
    const agent = await openaiAgent("Rejected", { approvalTools: ["memory_store"] });
    mock.script("openai", { type: "tool_calls", calls: [{ name: "memory_store", arguments: { fact: "Something private" } }] });
    const first = await api().agents.chat({ projectId, agentId: agent.id, content: "Remember something private" });
    const approvalId = first.pendingApprovals[0]?.id ?? "";
    await api().tools.approve({ projectId, approvalId, approve: false, reason: "not this one" });
    mock.script("openai", { type: "echo" });
    const resumed = await api().agents.resume({ projectId, sessionId: first.sessionId });
    expect(resumed.messages[0]).toMatchObject({
      role: "tool",
      isError: true,
      content: expect.stringContaining("rejected this call: not this one"),
    });
    expect(JSON.stringify(mock.requests.at(-1)?.body)).toContain("rejected this call");
    expect((await api().agents.memory.list({ projectId, agentId: agent.id })).memories).toEqual([]);
  });
});
