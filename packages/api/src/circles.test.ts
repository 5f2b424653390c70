/**
 * circles.* and conversations.* through the API on a real database: definitions validated with typed
 * errors that change nothing, members outside the project refused, optimistic versions, runs queued
 * with their first turn's job, the live controls (message, pause, resume, cancel) with their audit,
 * and another project's user seeing nothing.
 */
import { createAgent } from "@gathering/core";
import { schema } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServices, Caller } from "./context";
import { callerFor, createTestServices, signUpCaller } from "./test-services";

let database: TestDatabase;
let services: ApiServices;
let alice: Caller;
let mallory: Caller;
let projectId: string;
let malloryProjectId: string;
let agentIds: string[];
let malloryAgentId: string;

const api = () => callerFor(services, alice);
const evil = () => callerFor(services, mallory);

async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return (error.cause as { code?: string } | undefined)?.code ?? error.code;
    throw error;
  }
  return "succeeded";
}

async function counts() {
  const [circles] = await database.db.select({ n: count() }).from(schema.circles);
  const [members] = await database.db.select({ n: count() }).from(schema.circleMembers);
  const [runs] = await database.db.select({ n: count() }).from(schema.circleRuns);
  const [conversations] = await database.db.select({ n: count() }).from(schema.conversations);
  return { circles: circles?.n, members: members?.n, runs: runs?.n, conversations: conversations?.n };
}

async function turnJobs(runId: string): Promise<string[]> {
  const rows = await database.db.execute<{ key: string }>(
    `select key from graphile_worker.jobs where key like 'circle:${runId}:%' order by key`,
  );
  return rows.map((row) => row.key);
}

const definition = (overrides: Record<string, unknown> = {}) => ({
  name: "Offsite planners",
  strategy: "round_robin",
  members: agentIds.slice(0, 2).map((agentId, index) => ({ agentId, role: index === 0 ? "finds venues" : "plans the agenda" })),
  termination: { maxTurns: 6 },
  ...overrides,
});

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  ({ caller: alice, projectId } = await signUpCaller(database.db, "Alice"));
  ({ caller: mallory, projectId: malloryProjectId } = await signUpCaller(database.db, "Mallory"));
  agentIds = [];
  for (const name of ["Venue", "Agenda", "Boss"]) {
    const agent = await createAgent(
      database.db,
      { userId: alice.userId },
      {
        projectId,
        definition: { name, role: `${name} work`, model: { provider: "openai", model: "gpt-4o-mini" } },
      },
    );
    agentIds.push(agent.id);
  }
  malloryAgentId = (
    await createAgent(
      database.db,
      { userId: mallory.userId },
      {
        projectId: malloryProjectId,
        definition: { name: "Spy", role: "spying", model: { provider: "openai", model: "gpt-4o-mini" } },
      },
    )
  ).id;
});
afterAll(async () => {
  await database?.drop();
});

describe("definitions", () => {
  it("creates, reads, lists, updates with a version and archives a circle", async () => {
    const created = await api().circles.create({ projectId, definition: definition() });
    expect(created).toMatchObject({ name: "Offsite planners", strategy: "round_robin", version: 1, termination: { maxTurns: 6 } });
    expect(created.members.map((member) => [member.name, member.role])).toEqual([
      ["Venue", "finds venues"],
      ["Agenda", "plans the agenda"],
    ]);
    const updated = await api().circles.update({
      projectId,
      circleId: created.id,
      expectedVersion: 1,
      definition: definition({ strategy: "hierarchical", coordinatorAgentId: agentIds[2] }),
    });
    expect(updated).toMatchObject({ strategy: "hierarchical", coordinatorAgentId: agentIds[2], version: 2 });
    expect(await failure(api().circles.update({ projectId, circleId: created.id, expectedVersion: 1, definition: definition() }))).toBe(
      "CONFLICT",
    );
    expect((await api().circles.list({ projectId })).items.map((circle) => circle.id)).toContain(created.id);
    await api().circles.archive({ projectId, circleId: created.id });
    expect((await api().circles.list({ projectId })).items.map((circle) => circle.id)).not.toContain(created.id);
    expect(await failure(api().circles.run({ projectId, circleId: created.id, task: "Go" }))).toBe("PRECONDITION_FAILED");
    await api().circles.restore({ projectId, circleId: created.id });
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.target, created.id));
    expect(audit.map((row) => row.action).sort()).toEqual(["circle.archive", "circle.create", "circle.restore", "circle.update"]);
  });

  it("refuses bad definitions with a typed error and changes nothing", async () => {
    const before = await counts();
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ strategy: "anarchy" }, "VALIDATION_FAILED"],
      [{ members: [] }, "VALIDATION_FAILED"],
      [{ members: [{ agentId: agentIds[0] }, { agentId: agentIds[0] }] }, "VALIDATION_FAILED"],
      [{ strategy: "selector" }, "VALIDATION_FAILED"],
      [{ strategy: "round_robin", members: [{ agentId: agentIds[0] }] }, "VALIDATION_FAILED"],
      [{ termination: { maxTurns: 100_000 } }, "VALIDATION_FAILED"],
      [{ termination: { maxTurns: 0 } }, "VALIDATION_FAILED"],
      [{ name: "bad\u0000name" }, "VALIDATION_FAILED"],
      [{ name: "" }, "VALIDATION_FAILED"],
      [{ members: [{ agentId: "not-a-uuid" }, { agentId: agentIds[1] }] }, "VALIDATION_FAILED"],
      // Another project's agent is not found here, and neither is one that never existed.
      [{ members: [{ agentId: malloryAgentId }, { agentId: agentIds[1] }] }, "NOT_FOUND"],
      [{ strategy: "hierarchical", coordinatorAgentId: malloryAgentId }, "NOT_FOUND"],
      [{ members: [{ agentId: "00000000-0000-4000-8000-000000000000" }, { agentId: agentIds[1] }] }, "NOT_FOUND"],
    ];
    for (const [overrides, code] of bad) {
      expect([
        overrides,
        await failure(api().circles.create({ projectId, definition: definition({ name: "Bad one", ...overrides }) })),
      ]).toEqual([overrides, code]);
    }
    await api().circles.create({ projectId, definition: definition({ name: "Taken" }) });
    expect(await failure(api().circles.create({ projectId, definition: definition({ name: "TAKEN" }) }))).toBe("CONFLICT");
    const after = await counts();
    expect(after).toEqual({ ...before, circles: (before.circles ?? 0) + 1, members: (before.members ?? 0) + 2 });
  });
});

describe("runs", () => {
  it("queues the first turn, and the controls move the run with their audit", async () => {
    const circle = await api().circles.create({ projectId, definition: definition({ name: "Runners" }) });
    const run = await api().circles.run({ projectId, circleId: circle.id, task: "Plan the offsite", termination: { maxTurns: 3 } });
    expect(run).toMatchObject({ status: "running", turnsCompleted: 0, strategy: "round_robin", termination: { maxTurns: 3 } });
    expect(await turnJobs(run.id)).toEqual([`circle:${run.id}:turn:1`]);
    // Tighter limits only: a run cannot go past what the circle allows.
    expect(await failure(api().circles.run({ projectId, circleId: circle.id, task: "   " }))).toBe("BAD_REQUEST");

    const message = await api().circles.postMessage({ projectId, runId: run.id, content: "Keep the budget under 5k" });
    expect(message).toMatchObject({ authorKind: "user", turnNumber: 1, content: "Keep the budget under 5k" });
    expect((await api().circles.pauseRun({ projectId, runId: run.id })).status).toBe("paused");
    expect(await failure(api().circles.pauseRun({ projectId, runId: run.id }))).toBe("PRECONDITION_FAILED");
    expect((await api().circles.resumeRun({ projectId, runId: run.id })).status).toBe("running");
    expect(await turnJobs(run.id)).toEqual([`circle:${run.id}:turn:1`]);
    const cancelled = await api().circles.cancelRun({ projectId, runId: run.id });
    expect(cancelled).toMatchObject({ status: "cancelled", stopReason: "user_stop" });
    expect(await failure(api().circles.resumeRun({ projectId, runId: run.id }))).toBe("PRECONDITION_FAILED");
    expect(await failure(api().circles.postMessage({ projectId, runId: run.id, content: "hello?" }))).toBe("PRECONDITION_FAILED");

    const detail = await api().circles.getRun({ projectId, runId: run.id });
    expect(detail.messages.map((entry) => entry.content)).toEqual(["Keep the budget under 5k"]);
    expect((await api().circles.listRuns({ projectId, circleId: circle.id })).items.map((entry) => entry.id)).toEqual([run.id]);
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.target, run.id));
    expect(audit.map((row) => row.action).sort()).toEqual([
      "circle.cancel",
      "circle.message",
      "circle.pause",
      "circle.resume",
      "circle.run",
    ]);
  });

  it("conversations start as runs of their own kind and can run again", async () => {
    const started = await api().conversations.start({
      projectId,
      title: "Debate",
      topic: "Tabs or spaces?",
      agentIds: agentIds.slice(0, 2),
      exchanges: 3,
    });
    expect(started.run).toMatchObject({ kind: "conversation", conversationId: started.conversation.id, termination: { maxTurns: 6 } });
    expect(await turnJobs(started.run.id)).toEqual([`circle:${started.run.id}:turn:1`]);
    const again = await api().conversations.rerun({ projectId, conversationId: started.conversation.id });
    const conversation = await api().conversations.get({ projectId, conversationId: started.conversation.id });
    expect(conversation.runs.map((run) => run.id).sort()).toEqual([started.run.id, again.id].sort());
    const before = await counts();
    expect(
      await failure(api().conversations.start({ projectId, title: "Solo", topic: "Me", agentIds: agentIds.slice(0, 1), exchanges: 2 })),
    ).toBe("BAD_REQUEST");
    expect(
      await failure(api().conversations.start({ projectId, title: "Many", topic: "x", agentIds: agentIds.slice(0, 2), exchanges: 51 })),
    ).toBe("BAD_REQUEST");
    expect(
      await failure(
        api().conversations.start({ projectId, title: "Spy", topic: "x", agentIds: [agentIds[0] ?? "", malloryAgentId], exchanges: 1 }),
      ),
    ).toBe("NOT_FOUND");
    expect(await counts()).toEqual(before);
  });
});

describe("tenancy", () => {
  it("another project's user sees and changes nothing", async () => {
    const circle = await api().circles.create({ projectId, definition: definition({ name: "Private" }) });
    const run = await api().circles.run({ projectId, circleId: circle.id, task: "Secret plans" });
    const { conversation } = await api().conversations.start({
      projectId,
      title: "Secret talk",
      topic: "x",
      agentIds: agentIds.slice(0, 2),
      exchanges: 1,
    });
    // With Alice's project id, Mallory is not a member: the project does not exist for her.
    for (const call of [
      () => evil().circles.get({ projectId, circleId: circle.id }),
      () => evil().circles.list({ projectId }),
      () => evil().circles.getRun({ projectId, runId: run.id }),
      () => evil().circles.cancelRun({ projectId, runId: run.id }),
      () => evil().circles.postMessage({ projectId, runId: run.id, content: "hi" }),
      () => evil().conversations.get({ projectId, conversationId: conversation.id }),
    ]) {
      expect(await failure(call())).toBe("NOT_FOUND");
    }
    // With her own project id, Alice's things do not exist.
    const own = malloryProjectId;
    for (const call of [
      () => evil().circles.get({ projectId: own, circleId: circle.id }),
      () => evil().circles.getRun({ projectId: own, runId: run.id }),
      () => evil().circles.pauseRun({ projectId: own, runId: run.id }),
      () => evil().circles.cancelRun({ projectId: own, runId: run.id }),
      () => evil().circles.postMessage({ projectId: own, runId: run.id, content: "hi" }),
      () => evil().circles.run({ projectId: own, circleId: circle.id, task: "steal" }),
      () => evil().circles.update({ projectId: own, circleId: circle.id, definition: definition({ name: "Mine" }) }),
      () => evil().conversations.get({ projectId: own, conversationId: conversation.id }),
      () => evil().conversations.rerun({ projectId: own, conversationId: conversation.id }),
    ]) {
      expect(await failure(call())).toBe("NOT_FOUND");
    }
    expect((await evil().circles.list({ projectId: own })).items).toEqual([]);
    expect((await evil().circles.listRuns({ projectId: own })).items).toEqual([]);
    expect((await evil().conversations.list({ projectId: own })).items).toEqual([]);
    expect((await api().circles.getRun({ projectId, runId: run.id })).status).toBe("running");
  });
});
