/**
 * The server-side name search of circles.list and schedules.list (the command palette's and the list pages'
 * search), circles.listRuns by status (the overview's active runs) and schedules.upcoming (the overview's
 * "due next"), through the API on a real database: matches
 * are case-insensitive parts of the name, LIKE wildcards are taken literally, another project's rows never
 * appear, and bad input is refused.
 */
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServices, Caller } from "./context";
import { callerFor, createTestServices, signUpCaller } from "./test-services";

let database: TestDatabase;
let services: ApiServices;
let alice: Caller;
let mallory: Caller;
let projectId: string;
let malloryProjectId: string;

const api = () => callerFor(services, alice);
const notify = { kind: "send_notification" as const, title: "Ping", body: "Ping", inApp: {} };

async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return (error.cause as { code?: string } | undefined)?.code ?? error.code;
    throw error;
  }
  return "succeeded";
}

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  ({ caller: alice, projectId } = await signUpCaller(database.db, "Alice"));
  ({ caller: mallory, projectId: malloryProjectId } = await signUpCaller(database.db, "Mallory"));

  const agent = { role: "a helper", goal: "Help", instructions: "Be brief.", model: { provider: "openai" as const, model: "gpt-4o-mini" } };
  const agentIds: string[] = [];
  for (const name of ["Venue", "Agenda"]) agentIds.push((await api().agents.create({ projectId, name, ...agent })).id);
  const members = agentIds.map((agentId) => ({ agentId, role: "plans" }));
  for (const name of ["Offsite planners", "Release crew", "100% Club"]) {
    await api().circles.create({ projectId, definition: { name, strategy: "round_robin", members, termination: { maxTurns: 4 } } });
  }
  const theirMembers: { agentId: string; role: string }[] = [];
  for (const name of ["Eve", "Trent"]) {
    const created = await callerFor(services, mallory).agents.create({ projectId: malloryProjectId, name, ...agent });
    theirMembers.push({ agentId: created.id, role: "spies" });
  }
  await callerFor(services, mallory).circles.create({
    projectId: malloryProjectId,
    definition: { name: "Offsite spies", strategy: "round_robin", members: theirMembers, termination: { maxTurns: 4 } },
  });

  await api().schedules.create({ projectId, name: "Nightly report", cron: "0 3 * * *", action: notify });
  await api().schedules.create({ projectId, name: "Weekly digest", cron: "0 9 * * 1", action: notify });
  await api().schedules.create({ projectId, name: "Every minute", cron: "* * * * *", action: notify });
  await callerFor(services, mallory).schedules.create({
    projectId: malloryProjectId,
    name: "Nightly theft",
    cron: "* * * * *",
    action: notify,
  });
});
afterAll(async () => {
  await database?.drop();
});

describe("circles.list search", () => {
  it("matches part of the name, whatever the case, in the caller's project only", async () => {
    const found = await api().circles.list({ projectId, search: "OFFSITE" });
    expect(found.items.map((circle) => circle.name)).toEqual(["Offsite planners"]);
    const all = await api().circles.list({ projectId });
    expect(all.items).toHaveLength(3);
  });

  it("takes % and _ literally", async () => {
    expect((await api().circles.list({ projectId, search: "%" })).items.map((circle) => circle.name)).toEqual(["100% Club"]);
    expect((await api().circles.list({ projectId, search: "_" })).items).toEqual([]);
  });

  it("refuses a search longer than 100 characters", async () => {
    expect(await failure(api().circles.list({ projectId, search: "x".repeat(101) }))).toBe("BAD_REQUEST");
  });
});

describe("schedules.list search", () => {
  it("matches part of the name in the caller's project only", async () => {
    const found = await api().schedules.list({ projectId, search: "nightly" });
    expect(found.items.map((schedule) => schedule.name)).toEqual(["Nightly report"]);
    expect((await api().schedules.list({ projectId, search: "theft" })).items).toEqual([]);
  });
});

describe("schedules.upcoming", () => {
  it("lists the unpaused schedules soonest first, up to the limit", async () => {
    const upcoming = await api().schedules.upcoming({ projectId, limit: 2 });
    expect(upcoming.map((schedule) => schedule.name)).toEqual(["Every minute", expect.any(String)]);
    const times = (await api().schedules.upcoming({ projectId })).map((schedule) => schedule.nextFireAt?.getTime() ?? 0);
    expect(times).toHaveLength(3);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("leaves out a paused schedule", async () => {
    const minute = (await api().schedules.list({ projectId, search: "Every minute" })).items[0];
    if (!minute) throw new Error("the schedule made in beforeAll is missing");
    await api().schedules.pause({ projectId, scheduleId: minute.id });
    const names = (await api().schedules.upcoming({ projectId })).map((schedule) => schedule.name);
    expect(names).not.toContain("Every minute");
    expect(names).toHaveLength(2);
  });

  it("refuses a limit beyond 20", async () => {
    expect(await failure(api().schedules.upcoming({ projectId, limit: 21 }))).toBe("BAD_REQUEST");
  });
});

describe("circles.listRuns by status", () => {
  it("lists only the runs in the asked states, in the caller's project only", async () => {
    const circle = (await api().circles.list({ projectId, search: "Release crew" })).items[0];
    if (!circle) throw new Error("the circle made in beforeAll is missing");
    const run = await api().circles.run({ projectId, circleId: circle.id, task: "Plan the release" });
    const active = await api().circles.listRuns({ projectId, statuses: ["running", "paused"] });
    expect(active.items.map((item) => item.id)).toEqual([run.id]);
    expect((await api().circles.listRuns({ projectId, statuses: ["failed"] })).items).toEqual([]);
    await api().circles.cancelRun({ projectId, runId: run.id });
    expect((await api().circles.listRuns({ projectId, statuses: ["running", "paused"] })).items).toEqual([]);
    expect((await api().circles.listRuns({ projectId, statuses: ["cancelled"] })).items.map((item) => item.id)).toEqual([run.id]);
    expect((await callerFor(services, mallory).circles.listRuns({ projectId: malloryProjectId, statuses: ["cancelled"] })).items).toEqual(
      [],
    );
  });

  it("refuses an unknown status and an empty list", async () => {
    expect(await failure(api().circles.listRuns({ projectId, statuses: ["exploded" as "failed"] }))).toBe("BAD_REQUEST");
    expect(await failure(api().circles.listRuns({ projectId, statuses: [] }))).toBe("BAD_REQUEST");
  });
});
