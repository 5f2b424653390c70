/**
 * Circles on a real Graphile Worker against the mock OpenAI server: each strategy's speaker order and
 * result, the selector's fallbacks, hierarchical subtasks, every termination rule's stop reason,
 * pause/resume with a person's message, and two circles running at once without seeing each other.
 */
import {
  type CircleDefinitionInput,
  cancelCircleRun,
  createAgent,
  createCircle,
  createLogger,
  createModelGateway,
  decodeEphemeralBatch,
  EPHEMERAL_EVENTS_CHANNEL,
  executeCircleTurn,
  getCircleRun,
  type Logger,
  parseKeyring,
  pauseCircleRun,
  postCircleMessage,
  resumeCircleRun,
  signUp,
  startCircleRun,
  startConversation,
  updateProviderSettings,
} from "@gathering/core";
import { circleQueue } from "@gathering/jobs";
import { createTestDatabase, type MockLlmServer, type MockScriptedStep, startMockLlmServer, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "./run-worker";

const keyring = parseKeyring("test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const logger = createLogger({ level: "silent" }) as Logger;
let database: TestDatabase;
let mock: MockLlmServer;
let worker: WorkerHandle;
let actor: { userId: string };
let projectId: string;
let counter = 0;

async function newAgent(name: string, model = "gpt-4o-mini") {
  counter += 1;
  return createAgent(database.db, actor, {
    projectId,
    definition: { name: `${name} ${counter}`, role: `${name}'s role`, model: { provider: "openai", model } },
  });
}

async function newCircle(definition: Omit<CircleDefinitionInput, "name"> & { name?: string }) {
  counter += 1;
  return createCircle(database.db, actor, { projectId, definition: { name: `Circle ${counter}`, ...definition } });
}

async function runToEnd(circleId: string, task = "Plan a team offsite") {
  const run = await startCircleRun(database.db, circleQueue, actor, { projectId, circleId, task });
  await expect
    .poll(async () => (await getCircleRun(database.db, { projectId, runId: run.id })).status, { timeout: 20_000, interval: 100 })
    .not.toMatch(/^(running)$/);
  return getCircleRun(database.db, { projectId, runId: run.id });
}

const text = (value: string, usage = { inputTokens: 10, outputTokens: 5 }): MockScriptedStep => ({ type: "text", text: value, usage });
const speakers = (run: Awaited<ReturnType<typeof getCircleRun>>) =>
  run.messages.filter((message) => message.authorKind === "agent").map((message) => message.agentId);
/** The user message (the rendered turn prompt) of a recorded OpenAI request. */
const promptOf = (index: number): string => {
  const messages = (mock.requests[index]?.body.messages ?? []) as Array<{ role: string; content: string }>;
  return messages.findLast((message) => message.role === "user")?.content ?? "";
};

beforeAll(async () => {
  database = await createTestDatabase();
  mock = await startMockLlmServer();
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "circles@example.com", name: "Circles", password: "correct horse battery staple" },
  );
  actor = { userId: account.id };
  projectId = account.projectId;
  await updateProviderSettings(database.db, keyring, actor, {
    projectId,
    apiKeys: { openai: "sk-test-openai-0001" },
    settings: { openai: { baseUrl: mock.baseUrls.openai } },
  });
  worker = await startWorker({ connectionString: database.url, logger, keyring, concurrency: 2, pollIntervalMs: 100 });
});
afterAll(async () => {
  await worker?.stop();
  await mock?.close();
  await database?.drop();
});
beforeEach(() => mock.reset());

describe("strategies", () => {
  it("sequential: each member once, in order, each seeing the work before it; the last answer is the result", async () => {
    const [a, b, c] = await Promise.all([newAgent("Ann"), newAgent("Ben"), newAgent("Cat")]);
    const circle = await newCircle({ strategy: "sequential", members: [a, b, c].map((agent) => ({ agentId: agent.id, role: "editor" })) });
    mock.script("openai", text("Draft by Ann"), text("Improved by Ben"), text("Polished by Cat"));
    const run = await runToEnd(circle.id);
    expect(speakers(run)).toEqual([a.id, b.id, c.id]);
    expect(run).toMatchObject({ status: "succeeded", stopReason: "sequence_complete", result: "Polished by Cat", turnsCompleted: 3 });
    expect(promptOf(1)).toContain("Draft by Ann");
    expect(promptOf(2)).toContain("Improved by Ben");
    expect(mock.requests).toHaveLength(3);
    expect(run.messages.every((message) => message.inputTokens === 10 && message.outputTokens === 5 && message.costMicros > 0)).toBe(true);
    expect(run).toMatchObject({ inputTokens: 30, outputTokens: 15 });
  });

  it("round_robin: turns go round until max turns", async () => {
    const [a, b, c] = await Promise.all([newAgent("Ann"), newAgent("Ben"), newAgent("Cat")]);
    const circle = await newCircle({
      strategy: "round_robin",
      members: [a, b, c].map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 5 },
    });
    mock.script("openai", ...[1, 2, 3, 4, 5].map((turn) => text(`turn ${turn}`)));
    const run = await runToEnd(circle.id);
    expect(speakers(run)).toEqual([a.id, b.id, c.id, a.id, b.id]);
    expect(run).toMatchObject({ status: "stopped", stopReason: "max_turns", result: "turn 5", turnsCompleted: 5 });
    expect(run.turns.map((turn) => turn.turnNumber)).toEqual([1, 2, 3, 4, 5]);
  });

  it("selector: the coordinator's picks decide the order; finish ends the run with its result", async () => {
    const [a, b, c, s] = await Promise.all([newAgent("Ann"), newAgent("Ben"), newAgent("Cat"), newAgent("Sel")]);
    const circle = await newCircle({
      strategy: "selector",
      coordinatorAgentId: s.id,
      members: [a, b, c].map((agent) => ({ agentId: agent.id, role: `${agent.name} things` })),
    });
    mock.script(
      "openai",
      text(b.name),
      text("Ben's analysis"),
      text(`${c.name}.`),
      text("Cat's numbers"),
      text(a.name),
      { type: "tool_calls", calls: [{ name: "finish", arguments: { result: "The plan, agreed" } }] },
      text("Closing."),
    );
    const run = await runToEnd(circle.id);
    expect(speakers(run)).toEqual([b.id, c.id, a.id]);
    expect(run).toMatchObject({ status: "succeeded", stopReason: "finished", result: "The plan, agreed" });
    expect(run.picks.map((pick) => pick.fallback)).toEqual([null, null, null]);
    expect(promptOf(0)).toContain("Reply with only the name");
    expect(mock.requests).toHaveLength(7);
  });

  it("selector: an invalid choice falls back to the next member in order, and the run ends at its limit", async () => {
    const [a, b, c, s] = await Promise.all([newAgent("Ann"), newAgent("Ben"), newAgent("Cat"), newAgent("Sel")]);
    const circle = await newCircle({
      strategy: "selector",
      coordinatorAgentId: s.id,
      members: [a, b, c].map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 4 },
    });
    for (let turn = 1; turn <= 4; turn += 1) mock.script("openai", text("Nobody in particular"), text(`spoken ${turn}`));
    const run = await runToEnd(circle.id);
    expect(speakers(run)).toEqual([a.id, b.id, c.id, a.id]);
    expect(run.picks.map((pick) => pick.fallback)).toEqual(["invalid", "invalid", "invalid", "invalid"]);
    expect(run).toMatchObject({ status: "stopped", stopReason: "max_turns", turnsCompleted: 4 });
    expect(mock.requests).toHaveLength(8);
  });

  it("selector: a model that always picks the same agent cannot keep the floor, and the run ends at its limit", async () => {
    const [a, b, s] = await Promise.all([newAgent("Ann"), newAgent("Ben"), newAgent("Sel")]);
    const circle = await newCircle({
      strategy: "selector",
      coordinatorAgentId: s.id,
      members: [a, b].map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 4 },
    });
    for (let turn = 1; turn <= 4; turn += 1) mock.script("openai", text(a.name), text(`spoken ${turn}`));
    const run = await runToEnd(circle.id);
    expect(speakers(run)).toEqual([a.id, b.id, a.id, b.id]);
    expect(run.picks.map((pick) => pick.fallback)).toEqual([null, "repeat", null, "repeat"]);
    expect(run).toMatchObject({ status: "stopped", stopReason: "max_turns" });
  });

  it("hierarchical: the manager splits the task on the board, members do their subtasks, the manager synthesises", async () => {
    const [m, a, b] = await Promise.all([newAgent("Max"), newAgent("Ann"), newAgent("Ben")]);
    const circle = await newCircle({
      strategy: "hierarchical",
      coordinatorAgentId: m.id,
      members: [a, b].map((agent) => ({ agentId: agent.id, role: "specialist" })),
    });
    mock.script(
      "openai",
      {
        type: "tool_calls",
        calls: [
          { name: "board_add", arguments: { title: "Find a venue", owner: a.name } },
          { name: "board_add", arguments: { title: "Draft the agenda", owner: b.name } },
        ],
      },
      text("Plan: venue, then agenda."),
      text("Venue: the lake house"),
      text("Agenda: talks, then a hike"),
      text("Final: lake house, talks, hike"),
    );
    const run = await runToEnd(circle.id);
    expect(speakers(run)).toEqual([m.id, a.id, b.id, m.id]);
    expect(run.turns.map((turn) => turn.purpose)).toEqual(["plan", "speak", "speak", "review"]);
    expect(run.board).toMatchObject([
      { number: 1, title: "Find a venue", ownerAgentId: a.id, status: "done", result: "Venue: the lake house", createdTurn: 1 },
      { number: 2, title: "Draft the agenda", ownerAgentId: b.id, status: "done", result: "Agenda: talks, then a hike", createdTurn: 1 },
    ]);
    expect(run).toMatchObject({ status: "succeeded", stopReason: "completed", result: "Final: lake house, talks, hike" });
    // The reviewer saw both results on the board.
    expect(promptOf(4)).toContain("Venue: the lake house");
    expect(promptOf(4)).toContain("Agenda: talks, then a hike");
  });

  it("handoff: members pass control with the handoff tool; a member who does not hand off ends the run", async () => {
    const [a, b, c] = await Promise.all([newAgent("Ann"), newAgent("Ben"), newAgent("Cat")]);
    const circle = await newCircle({ strategy: "handoff", members: [a, b, c].map((agent) => ({ agentId: agent.id })) });
    mock.script(
      "openai",
      { type: "tool_calls", calls: [{ name: "handoff", arguments: { to: c.name, note: "you do the budget" } }] },
      text("Passing to Cat."),
      { type: "tool_calls", calls: [{ name: "handoff", arguments: { to: "Nobody" } }] },
      { type: "tool_calls", calls: [{ name: "handoff", arguments: { to: b.name } }] },
      text("Passing to Ben."),
      text("Budget done; here is the plan."),
    );
    const run = await runToEnd(circle.id);
    expect(speakers(run)).toEqual([a.id, c.id, b.id]);
    expect(run).toMatchObject({ status: "succeeded", stopReason: "completed", result: "Budget done; here is the plan." });
    // The invalid handoff went back to Cat as a tool error, and she corrected it within her turn.
    expect(run.messages[1]?.toolCalls?.map((call) => call.isError)).toEqual([true, false]);
  });
});

describe("termination", () => {
  async function roundRobin(termination: CircleDefinitionInput["termination"]) {
    const [a, b] = await Promise.all([newAgent("Ann"), newAgent("Ben")]);
    return newCircle({ strategy: "round_robin", members: [a, b].map((agent) => ({ agentId: agent.id })), termination });
  }

  it("stops at the token budget", async () => {
    const circle = await roundRobin({ maxTurns: 10, maxTokens: 100 });
    mock.script("openai", ...[1, 2, 3].map((turn) => text(`t${turn}`, { inputTokens: 40, outputTokens: 10 })));
    const run = await runToEnd(circle.id);
    expect(run).toMatchObject({ status: "stopped", stopReason: "token_budget", turnsCompleted: 2, inputTokens: 80, outputTokens: 20 });
  });

  it("stops at the cost budget", async () => {
    const circle = await roundRobin({ maxTurns: 10, maxCostMicros: 1_000 });
    // gpt-4o-mini: 0.15 µ$ per input token; 4,000 tokens cost 600 µ$ a turn.
    mock.script("openai", ...[1, 2, 3].map((turn) => text(`t${turn}`, { inputTokens: 4_000, outputTokens: 0 })));
    const run = await runToEnd(circle.id);
    expect(run).toMatchObject({ status: "stopped", stopReason: "cost_budget", turnsCompleted: 2, costMicros: 1_200 });
  });

  it("stops at the completion phrase", async () => {
    const circle = await roundRobin({ maxTurns: 10, completionPhrase: "ALL DONE" });
    mock.script("openai", text("working"), text("Here it is. all done."), text("never"));
    const run = await runToEnd(circle.id);
    expect(run).toMatchObject({ status: "succeeded", stopReason: "completion_phrase", turnsCompleted: 2, result: "Here it is. all done." });
  });

  it("stops at the wall-clock timeout, aborting the turn in flight", async () => {
    const circle = await roundRobin({ maxTurns: 10, timeoutSeconds: 1 });
    mock.script("openai", text("first"), { type: "hang" });
    const run = await runToEnd(circle.id);
    expect(run).toMatchObject({ status: "stopped", stopReason: "timeout", turnsCompleted: 1, result: "first" });
  });

  it("stops on the user's cancel, aborting the turn in flight", async () => {
    const circle = await roundRobin({ maxTurns: 10 });
    mock.script("openai", { type: "hang" });
    const started = await startCircleRun(database.db, circleQueue, actor, { projectId, circleId: circle.id, task: "Think hard" });
    await mock.waitForRequests(1);
    await cancelCircleRun(database.db, actor, { projectId, runId: started.id });
    await expect
      .poll(
        async () =>
          (await database.db.execute(`select count(*)::int as n from graphile_worker.jobs where key like 'circle:${started.id}:%'`))[0]?.n,
        { timeout: 10_000 },
      )
      .toBe(0);
    const run = await getCircleRun(database.db, { projectId, runId: started.id });
    expect(run).toMatchObject({ status: "cancelled", stopReason: "user_stop", turnsCompleted: 0 });
    expect(run.messages).toHaveLength(0);
  });
});

describe("controls", () => {
  const engine = () => ({ db: database.db, keyring, gateway: createModelGateway(), logger, queue: circleQueue });

  it("a paused run takes no turn; a person's message is seen at the next turn after resume", async () => {
    const [a, b] = await Promise.all([newAgent("Ann"), newAgent("Ben")]);
    const circle = await newCircle({
      strategy: "round_robin",
      members: [a, b].map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 2 },
    });
    // Started on a queue that holds the first job back, so the test decides when turns happen.
    const held = { enqueueTurn: async () => {} };
    const started = await startCircleRun(database.db, held, actor, { projectId, circleId: circle.id, task: "Name the project" });
    await pauseCircleRun(database.db, actor, { projectId, runId: started.id });
    const signal = new AbortController().signal;
    expect(await executeCircleTurn(engine(), { runId: started.id, turn: 1, attempt: 1, maxAttempts: 5, signal })).toBe("skipped");
    expect(mock.requests).toHaveLength(0);
    await postCircleMessage(database.db, actor, { projectId, runId: started.id, content: "Please keep it short: one word" });
    mock.script("openai", text("Orbit"), text("Agreed: Orbit"));
    await resumeCircleRun(database.db, circleQueue, actor, { projectId, runId: started.id });
    await expect
      .poll(async () => (await getCircleRun(database.db, { projectId, runId: started.id })).status, { timeout: 20_000 })
      .toBe("stopped");
    expect(promptOf(0)).toContain("Please keep it short: one word");
    const run = await getCircleRun(database.db, { projectId, runId: started.id });
    expect(run.messages.map((message) => [message.authorKind, message.content])).toEqual([
      ["user", "Please keep it short: one word"],
      ["agent", "Orbit"],
      ["agent", "Agreed: Orbit"],
    ]);
    await expect(postCircleMessage(database.db, actor, { projectId, runId: started.id, content: "too late" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
  });

  it("a turn job that runs twice commits the turn once", async () => {
    const [a, b] = await Promise.all([newAgent("Ann"), newAgent("Ben")]);
    const circle = await newCircle({
      strategy: "round_robin",
      members: [a, b].map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 2 },
    });
    const held = { enqueueTurn: async () => {} };
    const started = await startCircleRun(database.db, held, actor, { projectId, circleId: circle.id, task: "Once" });
    mock.script("openai", text("only once"));
    const signal = new AbortController().signal;
    const input = { runId: started.id, turn: 1, attempt: 1, maxAttempts: 5, signal };
    expect(await executeCircleTurn({ ...engine(), queue: held }, input)).toBe("committed");
    expect(await executeCircleTurn({ ...engine(), queue: held }, input)).toBe("skipped");
    const run = await getCircleRun(database.db, { projectId, runId: started.id });
    expect(run.turns).toHaveLength(1);
    expect(run.messages).toHaveLength(1);
    expect(mock.requests).toHaveLength(1);
  });

  it("a crash between the stored answer and the turn's commit resumes without asking the model again", async () => {
    const [a, b] = await Promise.all([newAgent("Ann"), newAgent("Ben")]);
    const circle = await newCircle({
      strategy: "round_robin",
      members: [a, b].map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 2 },
    });
    const held = { enqueueTurn: async () => {} };
    const started = await startCircleRun(database.db, held, actor, { projectId, circleId: circle.id, task: "Survive" });
    mock.script("openai", text("stored before the crash"));
    // The commit's transaction fails (the process "dies" there): the turn is not committed.
    const crashing = {
      enqueueTurn: async () => {
        throw new Error("connection lost");
      },
    };
    const signal = new AbortController().signal;
    const input = { runId: started.id, turn: 1, attempt: 1, maxAttempts: 5, signal };
    await expect(executeCircleTurn({ ...engine(), queue: crashing }, input)).rejects.toThrow("connection lost");
    expect((await getCircleRun(database.db, { projectId, runId: started.id })).turnsCompleted).toBe(0);
    expect(await executeCircleTurn({ ...engine(), queue: held }, { ...input, attempt: 2 })).toBe("committed");
    const run = await getCircleRun(database.db, { projectId, runId: started.id });
    expect(run.messages.map((message) => message.content)).toEqual(["stored before the crash"]);
    expect(run.turnsCompleted).toBe(1);
    expect(mock.requests).toHaveLength(1);
  });

  it("streams the speaking member's text as agent.token events of the run's stream", async () => {
    const [a] = await Promise.all([newAgent("Ann")]);
    const circle = await newCircle({ strategy: "sequential", members: [{ agentId: a.id }] });
    const deltas: Array<{ streamId: string; messageId: string; delta: string; index: number }> = [];
    const listener = await database.sql.listen(EPHEMERAL_EVENTS_CHANNEL, (raw) => {
      for (const event of decodeEphemeralBatch(raw)?.events ?? [])
        if (event.topic === "agent.token") deltas.push(event.payload as (typeof deltas)[number]);
    });
    try {
      mock.script("openai", { type: "text", text: "alpha beta gamma delta" });
      const run = await runToEnd(circle.id);
      expect(run.result).toBe("alpha beta gamma delta");
      await expect
        .poll(() =>
          deltas
            .filter((delta) => delta.streamId === `circle-run:${run.id}`)
            .map((delta) => delta.delta)
            .join(""),
        )
        .toBe("alpha beta gamma delta");
      expect(new Set(deltas.filter((delta) => delta.streamId === `circle-run:${run.id}`).map((delta) => delta.messageId))).toEqual(
        new Set(["turn-1"]),
      );
    } finally {
      await listener.unlisten();
    }
  });

  it("conversations: agents talk for N exchanges on the same machinery", async () => {
    const [a, b] = await Promise.all([newAgent("Ann"), newAgent("Ben")]);
    mock.script("openai", text("Cats are better"), text("Dogs are better"), text("Cats nap more"), text("Dogs fetch"));
    const { run: started, conversation } = await startConversation(database.db, circleQueue, actor, {
      projectId,
      title: "Pets",
      topic: "Cats or dogs?",
      agentIds: [a.id, b.id],
      exchanges: 2,
    });
    await expect
      .poll(async () => (await getCircleRun(database.db, { projectId, runId: started.id })).status, { timeout: 20_000 })
      .toBe("succeeded");
    const run = await getCircleRun(database.db, { projectId, runId: started.id });
    expect(run).toMatchObject({
      kind: "conversation",
      conversationId: conversation.id,
      stopReason: "sequence_complete",
      turnsCompleted: 4,
    });
    expect(speakers(run)).toEqual([a.id, b.id, a.id, b.id]);
    expect(run.messages.map((message) => message.content)).toEqual(["Cats are better", "Dogs are better", "Cats nap more", "Dogs fetch"]);
    expect(promptOf(3)).toContain("Cats nap more");
  });
});

describe("offline model", () => {
  it("a round robin of agents on the local model runs to its turn limit", async () => {
    const agents = [];
    for (const name of ["Pia", "Quin"]) {
      counter += 1;
      agents.push(
        await createAgent(database.db, actor, {
          projectId,
          definition: { name: `${name} ${counter}`, role: "brainstormer", model: { provider: "local", model: "local-echo" } },
        }),
      );
    }
    const circle = await newCircle({
      strategy: "round_robin",
      members: agents.map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 3 },
    });
    const run = await runToEnd(circle.id, "Name a coffee shop");
    expect(run).toMatchObject({ status: "stopped", stopReason: "max_turns", turnsCompleted: 3, error: null });
    expect(speakers(run)).toEqual([agents[0]?.id, agents[1]?.id, agents[0]?.id]);
  });
});

describe("isolation", () => {
  it("two circles running at once keep their own transcripts, boards and usage", async () => {
    const [a1, b1] = await Promise.all([newAgent("Ann"), newAgent("Ben")]);
    const [a2, b2] = await Promise.all([newAgent("Ada", "gpt-4o"), newAgent("Bob", "gpt-4o")]);
    const one = await newCircle({
      strategy: "round_robin",
      members: [a1, b1].map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 4 },
    });
    const two = await newCircle({
      strategy: "round_robin",
      members: [a2, b2].map((agent) => ({ agentId: agent.id })),
      termination: { maxTurns: 4 },
    });
    for (let turn = 1; turn <= 4; turn += 1) {
      mock.script("openai", { ...text(`one-${turn}`), model: "gpt-4o-mini" }, { ...text(`two-${turn}`), model: "gpt-4o" });
    }
    const [first, second] = await Promise.all([runToEnd(one.id, "Task one"), runToEnd(two.id, "Task two")]);
    expect(first.messages.map((message) => message.content)).toEqual(["one-1", "one-2", "one-3", "one-4"]);
    expect(second.messages.map((message) => message.content)).toEqual(["two-1", "two-2", "two-3", "two-4"]);
    expect(speakers(first)).toEqual([a1.id, b1.id, a1.id, b1.id]);
    expect(speakers(second)).toEqual([a2.id, b2.id, a2.id, b2.id]);
    for (const request of mock.requests) {
      const prompt =
        (request.body.messages as Array<{ role: string; content: string }>).findLast((message) => message.role === "user")?.content ?? "";
      expect(prompt).not.toContain(request.model === "gpt-4o" ? "one-" : "two-");
      expect(prompt).toContain(request.model === "gpt-4o" ? "Task two" : "Task one");
    }
  });
});
