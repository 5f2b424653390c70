/**
 * Agent tasks on a real Graphile Worker against the mock vendors: a submitted task runs once and
 * records its answer; a running task is cancelled within seconds; and after a crash a task resumes
 * from its transcript without repeating a model call or a tool call that already happened.
 */
import {
  cancelTask,
  createAgent,
  createLogger,
  createModelGateway,
  decideApproval,
  executeTask,
  getTask,
  type Logger,
  listApprovals,
  parseKeyring,
  signUp,
  submitTask,
  updateProviderSettings,
} from "@gathering/core";
import { insertChatMessages, schema, transitionAgentTask } from "@gathering/db";
import { scheduleAgentTask } from "@gathering/jobs";
import { createTestDatabase, type MockLlmServer, startMockLlmServer, type TestDatabase } from "@gathering/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "./run-worker";

const keyring = parseKeyring("test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const logger = createLogger({ level: "silent" }) as Logger;
let database: TestDatabase;
let mock: MockLlmServer;
let worker: WorkerHandle | undefined;
let actor: { userId: string };
let projectId: string;

async function newAgent(name: string) {
  return createAgent(database.db, actor, {
    projectId,
    definition: { name, role: "a worker-side assistant", model: { provider: "openai", model: "gpt-4o-mini" } },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  mock = await startMockLlmServer();
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "ops@example.com", name: "Ops", password: "correct horse battery staple" },
  );
  actor = { userId: account.id };
  projectId = account.projectId;
  await updateProviderSettings(database.db, keyring, actor, {
    projectId,
    apiKeys: { openai: "sk-test-openai-0001" },
    settings: { openai: { baseUrl: mock.baseUrls.openai } },
  });
});
afterAll(async () => {
  await worker?.stop();
  await mock?.close();
  await database?.drop();
});
beforeEach(() => mock.reset());

describe("on the worker", () => {
  it("runs a submitted task once and records its answer and usage", async () => {
    worker = await startWorker({ connectionString: database.url, logger, keyring, concurrency: 2, pollIntervalMs: 200 });
    const agent = await newAgent("Runner");
    mock.script("openai", { type: "text", text: "Done: three bullet points.", usage: { inputTokens: 50, outputTokens: 6 } });
    const task = await submitTask(
      database.db,
      actor,
      { projectId, agentId: agent.id, input: "Write three bullet points" },
      scheduleAgentTask,
    );
    await expect
      .poll(async () => (await getTask(database.db, { projectId, taskId: task.id })).status, { timeout: 15_000 })
      .toBe("succeeded");
    expect(await getTask(database.db, { projectId, taskId: task.id })).toMatchObject({
      result: "Done: three bullet points.",
      inputTokens: 50,
      outputTokens: 6,
      costMicros: Math.round(50 * 0.15 + 6 * 0.6),
      attempts: 1,
    });
    expect(mock.requests).toHaveLength(1);
  });

  it("stops a running task within seconds when it is cancelled", async () => {
    const agent = await newAgent("Slowpoke");
    mock.script("openai", { type: "hang" });
    const task = await submitTask(database.db, actor, { projectId, agentId: agent.id, input: "Take your time" }, scheduleAgentTask);
    await mock.waitForRequests(1);
    expect((await getTask(database.db, { projectId, taskId: task.id })).status).toBe("running");
    await cancelTask(database.db, actor, { projectId, taskId: task.id });
    // The worker notices, aborts the model call and lets the job finish (no retry of a cancelled task).
    await expect
      .poll(
        async () => (await database.db.execute(`select count(*)::int as n from graphile_worker.jobs where key = 'task:${task.id}'`))[0]?.n,
        { timeout: 10_000 },
      )
      .toBe(0);
    expect((await getTask(database.db, { projectId, taskId: task.id })).status).toBe("cancelled");
    expect(mock.requests).toHaveLength(1);
  });
});

describe("crash recovery", () => {
  const runtime = () => ({ db: database.db, keyring, gateway: createModelGateway(), logger });

  it("completes from a final answer already stored, without calling the model again", async () => {
    const agent = await newAgent("Survivor");
    const task = await submitTask(database.db, actor, { projectId, agentId: agent.id, input: "Answer once" }, async () => {});
    // The crash: the answer was stored, the process died before the task was marked done.
    await transitionAgentTask(database.db, { taskId: task.id, from: ["queued"], values: { status: "running", attempts: 1 } });
    await insertChatMessages(database.db, [
      {
        sessionId: task.sessionId,
        projectId,
        role: "assistant",
        content: "The one answer.",
        provider: "openai",
        model: "gpt-4o-mini",
        inputTokens: 9,
        outputTokens: 3,
      },
    ]);
    const status = await executeTask(runtime(), { taskId: task.id, attempt: 2, maxAttempts: 3, signal: new AbortController().signal });
    expect(status).toBe("succeeded");
    expect(await getTask(database.db, { projectId, taskId: task.id })).toMatchObject({
      result: "The one answer.",
      inputTokens: 9,
      outputTokens: 3,
    });
    expect(mock.requests).toHaveLength(0);
  });

  it("runs a tool call that was asked for but never run, then asks the model once", async () => {
    const agent = await newAgent("Resumer");
    const task = await submitTask(database.db, actor, { projectId, agentId: agent.id, input: "Remember the launch date" }, async () => {});
    await transitionAgentTask(database.db, { taskId: task.id, from: ["queued"], values: { status: "running", attempts: 1 } });
    await insertChatMessages(database.db, [
      {
        sessionId: task.sessionId,
        projectId,
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_launch", name: "memory_store", arguments: { fact: "The launch is on 3 March" } }],
        provider: "openai",
        model: "gpt-4o-mini",
      },
    ]);
    mock.script("openai", { type: "text", text: "Stored the launch date." });
    expect(await executeTask(runtime(), { taskId: task.id, attempt: 2, maxAttempts: 3, signal: new AbortController().signal })).toBe(
      "succeeded",
    );
    const memories = await database.db.select().from(schema.agentMemories).where(eq(schema.agentMemories.agentId, agent.id));
    expect(memories.map((memory) => memory.content)).toEqual(["The launch is on 3 March"]);
    expect(mock.requests).toHaveLength(1);
    const sent = JSON.stringify(mock.requests[0]?.body);
    expect(sent).toContain("call_launch");
    expect((await getTask(database.db, { projectId, taskId: task.id })).result).toBe("Stored the launch date.");

    // A second delivery of the same job repeats nothing.
    expect(await executeTask(runtime(), { taskId: task.id, attempt: 3, maxAttempts: 3, signal: new AbortController().signal })).toBe(
      "succeeded",
    );
    expect(await database.db.select().from(schema.agentMemories).where(eq(schema.agentMemories.agentId, agent.id))).toHaveLength(1);
    expect(mock.requests).toHaveLength(1);
  });

  it("fails a task for good on a budget, and leaves a transient outage to the queue's retries", async () => {
    const agent = await createAgent(database.db, actor, {
      projectId,
      definition: {
        name: "Frugal",
        role: "a frugal assistant",
        model: { provider: "openai", model: "gpt-4o-mini" },
        budgets: { perRunTokens: 20 },
      },
    });
    const task = await submitTask(
      database.db,
      actor,
      { projectId, agentId: agent.id, input: "A task far too big for twenty tokens of budget" },
      async () => {},
    );
    expect(await executeTask(runtime(), { taskId: task.id, attempt: 1, maxAttempts: 3, signal: new AbortController().signal })).toBe(
      "failed",
    );
    expect((await getTask(database.db, { projectId, taskId: task.id })).error).toMatch(/^BUDGET_EXCEEDED/);
    expect(mock.requests).toHaveLength(0);

    const flaky = await newAgent("Flaky");
    const second = await submitTask(database.db, actor, { projectId, agentId: flaky.id, input: "Try later" }, async () => {});
    mock.script("openai", { type: "error", status: 503 }, { type: "error", status: 503 }, { type: "error", status: 503 });
    const gateway = createModelGateway({ retry: { initialDelayMs: 1, maxDelayMs: 2 } });
    await expect(
      executeTask({ ...runtime(), gateway }, { taskId: second.id, attempt: 1, maxAttempts: 3, signal: new AbortController().signal }),
    ).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    expect((await getTask(database.db, { projectId, taskId: second.id })).status).toBe("running");
    mock.script("openai", { type: "text", text: "Back online." });
    expect(
      await executeTask({ ...runtime(), gateway }, { taskId: second.id, attempt: 2, maxAttempts: 3, signal: new AbortController().signal }),
    ).toBe("succeeded");
  });
});

describe("approvals in tasks", () => {
  it("waits for a person, goes back to the queue when approved, then runs the call once", async () => {
    const agent = await createAgent(database.db, actor, {
      projectId,
      definition: {
        name: "Gatekeeper",
        role: "a careful agent",
        model: { provider: "openai", model: "gpt-4o-mini" },
        approvalTools: ["memory_store"],
      },
    });
    const task = await submitTask(
      database.db,
      actor,
      { projectId, agentId: agent.id, input: "Remember the release is on Friday" },
      async () => {},
    );
    const runtime = { db: database.db, keyring, gateway: createModelGateway(), logger };
    mock.script("openai", { type: "tool_calls", calls: [{ name: "memory_store", arguments: { fact: "The release is on Friday" } }] });
    expect(await executeTask(runtime, { taskId: task.id, attempt: 1, maxAttempts: 3, signal: new AbortController().signal })).toBe(
      "waiting",
    );
    expect((await getTask(database.db, { projectId, taskId: task.id })).status).toBe("waiting");
    // A duplicate delivery while waiting does nothing.
    expect(await executeTask(runtime, { taskId: task.id, attempt: 2, maxAttempts: 3, signal: new AbortController().signal })).toBe(
      "waiting",
    );
    expect(mock.requests).toHaveLength(1);

    const [pending] = await listApprovals(database.db, { projectId, status: "pending", sessionId: task.sessionId });
    const scheduled: string[] = [];
    const decided = await decideApproval(
      database.db,
      actor,
      { projectId, approvalId: pending?.id ?? "", approve: true },
      async (_tx, taskId) => {
        scheduled.push(taskId);
      },
    );
    expect(decided.resumed).toBe("task");
    expect(scheduled).toEqual([task.id]);
    expect((await getTask(database.db, { projectId, taskId: task.id })).status).toBe("queued");

    mock.script("openai", { type: "text", text: "Noted the release date." });
    expect(await executeTask(runtime, { taskId: task.id, attempt: 1, maxAttempts: 3, signal: new AbortController().signal })).toBe(
      "succeeded",
    );
    const memories = await database.db.select().from(schema.agentMemories).where(eq(schema.agentMemories.agentId, agent.id));
    expect(memories.map((memory) => memory.content)).toEqual(["The release is on Friday"]);
    expect(mock.requests).toHaveLength(2);
  });
});
