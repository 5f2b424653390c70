/**
 * Crash recovery of a circle run with a real SIGKILL: a worker process dies while turn 3 of a 5-turn
 * round robin waits for its model; another worker's reaper releases the job after the lease, turn 3
 * runs again in the same transcript, and the run completes with each turn committed exactly once and
 * exactly one model request per turn besides the one the dead worker lost.
 */
import { createAgent, createCircle, getCircleRun, parseKeyring, signUp, startCircleRun, updateProviderSettings } from "@gathering/core";
import { circleQueue } from "@gathering/jobs";
import { createTestDatabase, type MockLlmServer, startMockLlmServer, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { workerProcesses } from "./test-support/worker-process";

const keyringText = "test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
let database: TestDatabase;
let mock: MockLlmServer;
const workers = workerProcesses(() => database.url);

beforeAll(async () => {
  database = await createTestDatabase();
  mock = await startMockLlmServer();
});
afterAll(async () => {
  workers.stopAll();
  await mock?.close();
  await database?.drop();
});

it("resumes a SIGKILLed worker's circle run at the turn it was in, repeating and losing none", async () => {
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "circle-crash@example.com", name: "Crash", password: "correct horse battery staple" },
  );
  const actor = { userId: account.id };
  const projectId = account.projectId;
  await updateProviderSettings(database.db, parseKeyring(keyringText), actor, {
    projectId,
    apiKeys: { openai: "sk-test-openai-0001" },
    settings: { openai: { baseUrl: mock.baseUrls.openai } },
  });
  const [ann, ben] = await Promise.all(
    ["Ann", "Ben"].map((name) =>
      createAgent(database.db, actor, {
        projectId,
        definition: { name, role: "thinker", model: { provider: "openai", model: "gpt-4o-mini" } },
      }),
    ),
  );
  if (!ann || !ben) throw new Error("agents missing");
  const circle = await createCircle(database.db, actor, {
    projectId,
    definition: {
      name: "Survivors",
      strategy: "round_robin",
      members: [{ agentId: ann.id }, { agentId: ben.id }],
      termination: { maxTurns: 5 },
    },
  });
  const usage = { inputTokens: 10, outputTokens: 2 };
  mock.script(
    "openai",
    { type: "text", text: "said 1", usage },
    { type: "text", text: "said 2", usage },
    { type: "hang" },
    { type: "text", text: "said 3", usage },
    { type: "text", text: "said 4", usage },
    { type: "text", text: "said 5", usage },
  );
  const doomed = await workers.start({ keyring: keyringText });
  const started = await startCircleRun(database.db, circleQueue, actor, { projectId, circleId: circle.id, task: "Count to five" });
  await mock.waitForRequests(3);
  expect((await getCircleRun(database.db, { projectId, runId: started.id })).turnsCompleted).toBe(2);

  doomed.kill("SIGKILL");
  await workers.start({ keyring: keyringText });
  await expect
    .poll(async () => (await getCircleRun(database.db, { projectId, runId: started.id })).status, { timeout: 30_000, interval: 100 })
    .toBe("stopped");

  const run = await getCircleRun(database.db, { projectId, runId: started.id });
  expect(run).toMatchObject({ stopReason: "max_turns", turnsCompleted: 5, inputTokens: 50, outputTokens: 10 });
  expect(run.turns.map((turn) => turn.turnNumber)).toEqual([1, 2, 3, 4, 5]);
  expect(run.messages.map((message) => message.content)).toEqual(["said 1", "said 2", "said 3", "said 4", "said 5"]);
  expect(run.messages.map((message) => message.agentId)).toEqual([ann.id, ben.id, ann.id, ben.id, ann.id]);
  // Six requests: one per turn, plus the one the dead worker never got an answer to.
  expect(mock.requests).toHaveLength(6);
  const prompts = mock.requests.map(
    (request) =>
      (request.body.messages as Array<{ role: string; content: string }>).findLast((message) => message.role === "user")?.content ?? "",
  );
  // The retried turn 3 spoke in the same transcript the dead worker had opened.
  expect(prompts[3]).toBe(prompts[2]);
  expect(prompts[3]).toContain("turn 3 of at most 5");
  expect(prompts[4]?.match(/said 3/g)).toHaveLength(1);
  const locked = await database.db.execute<{ n: number }>(
    "select count(*)::int as n from graphile_worker._private_jobs where locked_by is not null",
  );
  expect(locked[0]?.n).toBe(0);
}, 90_000);
