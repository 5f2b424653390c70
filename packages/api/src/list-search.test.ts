/**
 * The server-side search and filters of the lists, through the API on a real database: circles.list and
 * schedules.list by name (the command palette's and the list pages' search), tasks.list by what was asked,
 * pipelines.listRuns by pipeline name or run id, notifications.list by title or text and read state,
 * audit.list by target or details, circles.listRuns by status (the overview's active runs) and
 * schedules.upcoming (the overview's "due next"). Matches are case-insensitive parts of the text, LIKE
 * wildcards are taken literally, pages join up by cursor, another project's (or user's) rows never appear,
 * and bad input is refused.
 */
import { deliverInAppNotifications } from "@gathering/core";
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
const agentIds: string[] = [];

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

describe("tasks.list search", () => {
  it("matches part of what the agent was asked, with the status and agent filters and paging, in the caller's project only", async () => {
    const [venue = "", agenda = ""] = agentIds;
    const asked = ["Book the VENUE for the offsite", "Draft the agenda", "Find a venue near the station", "Order 100% recycled paper"];
    for (const [index, input] of asked.entries()) {
      await api().tasks.submit({ projectId, agentId: index === 1 ? agenda : venue, input });
    }
    const found = await api().tasks.list({ projectId, search: "venue" });
    expect(found.items.map((task) => task.input)).toEqual(["Find a venue near the station", "Book the VENUE for the offsite"]);
    expect((await api().tasks.list({ projectId, search: "venue", agentId: agenda })).items).toEqual([]);
    expect((await api().tasks.list({ projectId, search: "venue", status: "queued" })).items).toHaveLength(2);
    expect((await api().tasks.list({ projectId, search: "venue", status: "succeeded" })).items).toEqual([]);
    expect((await api().tasks.list({ projectId, search: "%" })).items.map((task) => task.input)).toEqual(["Order 100% recycled paper"]);
    const first = await api().tasks.list({ projectId, search: "venue", limit: 1 });
    const second = await api().tasks.list({ projectId, search: "venue", limit: 1, cursor: first.nextCursor ?? "" });
    expect([...first.items, ...second.items].map((task) => task.id)).toEqual(found.items.map((task) => task.id));
    expect(second.nextCursor).toBeNull();
    expect((await callerFor(services, mallory).tasks.list({ projectId: malloryProjectId, search: "venue" })).items).toEqual([]);
    expect(await failure(api().tasks.list({ projectId, search: "x".repeat(101) }))).toBe("BAD_REQUEST");
  });
});

describe("pipelines.listRuns search", () => {
  const definition = { nodes: [{ id: "wait", type: "delay", config: { ms: 0 } }], edges: [] };

  it("finds runs by their pipeline's name or the start of their id, in the caller's project only", async () => {
    const digest = await api().pipelines.create({ projectId, name: "Weekly Digest", definition });
    const cleanup = await api().pipelines.create({ projectId, name: "Cleanup", definition });
    const digestRuns = [
      await api().pipelines.run({ projectId, pipelineId: digest.id }),
      await api().pipelines.run({ projectId, pipelineId: digest.id }),
    ];
    const cleanupRun = await api().pipelines.run({ projectId, pipelineId: cleanup.id });
    const theirs = await callerFor(services, mallory).pipelines.create({
      projectId: malloryProjectId,
      name: "Digest of secrets",
      definition,
    });
    await callerFor(services, mallory).pipelines.run({ projectId: malloryProjectId, pipelineId: theirs.id });

    const byName = await api().pipelines.listRuns({ projectId, search: "digest" });
    expect(byName.items.map((run) => run.id)).toEqual(digestRuns.map((run) => run.id).reverse());
    const byId = await api().pipelines.listRuns({ projectId, search: cleanupRun.id.slice(0, 8).toUpperCase() });
    expect(byId.items.map((run) => run.id)).toEqual([cleanupRun.id]);
    expect((await api().pipelines.listRuns({ projectId, search: "digest", pipelineId: cleanup.id })).items).toEqual([]);
    expect((await api().pipelines.listRuns({ projectId, search: "_" })).items).toEqual([]);
    const first = await api().pipelines.listRuns({ projectId, search: "digest", limit: 1 });
    const second = await api().pipelines.listRuns({ projectId, search: "digest", limit: 1, cursor: first.nextCursor ?? "" });
    expect([...first.items, ...second.items].map((run) => run.id)).toEqual(byName.items.map((run) => run.id));
    expect(await failure(api().pipelines.listRuns({ projectId, search: "x".repeat(101) }))).toBe("BAD_REQUEST");
  });
});

describe("notifications.list search and read state", () => {
  it("filters the caller's own notifications by title or text and by read state", async () => {
    const deliveries = [
      { title: "Nightly report ready", body: "All green" },
      { title: "Disk almost full", body: "The nightly backup needs room" },
      { title: "Welcome", body: "" },
    ];
    for (const [index, delivery] of deliveries.entries()) {
      const fireId = `00000000-0000-4000-8000-00000000000${index + 1}`;
      await database.db.transaction((tx) => deliverInAppNotifications(tx, { projectId, fireId, ...delivery, level: "info", link: null }));
    }
    const welcome = (await api().notifications.list({ projectId, search: "welcome" })).items;
    expect(welcome.map((item) => item.title)).toEqual(["Welcome"]);
    await api().notifications.markRead({ projectId, notificationIds: welcome.map((item) => item.id) });

    const titles = async (input: { search?: string; readState?: "unread" | "read" }) =>
      (await api().notifications.list({ projectId, ...input })).items.map((item) => item.title);
    expect(await titles({ search: "NIGHTLY" })).toEqual(["Disk almost full", "Nightly report ready"]);
    expect(await titles({ readState: "unread" })).toEqual(["Disk almost full", "Nightly report ready"]);
    expect(await titles({ readState: "read" })).toEqual(["Welcome"]);
    expect(await titles({ readState: "read", search: "nightly" })).toEqual([]);
    expect((await callerFor(services, mallory).notifications.list({ projectId: malloryProjectId, search: "nightly" })).items).toEqual([]);
    expect(await failure(api().notifications.list({ projectId, readState: "archived" as "read" }))).toBe("BAD_REQUEST");
  });
});

describe("audit.list search", () => {
  it("matches part of the target or the details, and the last page offers no further one", async () => {
    const created = await api().audit.list({ projectId, action: "agent.create" });
    expect(created.events.map((event) => event.target)).toEqual(["Agenda", "Venue"]);
    expect(created.nextBeforeId).toBeNull();
    const venue = await api().audit.list({ projectId, search: "venu" });
    expect(venue.events.map((event) => [event.action, event.target])).toContainEqual(["agent.create", "Venue"]);
    expect(venue.events.every((event) => JSON.stringify([event.target, event.metadata]).toLowerCase().includes("venu"))).toBe(true);
    const [agendaId = ""] = agentIds.slice(1);
    expect((await api().audit.list({ projectId, search: agendaId })).events.map((event) => event.target)).toContain("Agenda");
    const first = await api().audit.list({ projectId, action: "agent.create", limit: 1 });
    const second = await api().audit.list({ projectId, action: "agent.create", limit: 1, beforeId: first.nextBeforeId ?? 0 });
    expect([...first.events, ...second.events].map((event) => event.id)).toEqual(created.events.map((event) => event.id));
    expect(second.nextBeforeId).toBeNull();
    expect(await failure(api().audit.list({ projectId, search: "x".repeat(101) }))).toBe("BAD_REQUEST");
  });
});

describe("conversations.list search", () => {
  it("matches part of the title or the topic, in the caller's project only", async () => {
    const [venue = "", agenda = ""] = agentIds;
    for (const [title, topic] of [
      ["Room plan", "Where the offsite happens"],
      ["Timetable", "Talks and breaks"],
    ] as const) {
      await api().conversations.start({ projectId, title, topic, agentIds: [venue, agenda], exchanges: 1 });
    }
    const titles = async (search: string) => (await api().conversations.list({ projectId, search })).items.map((item) => item.title);
    expect(await titles("ROOM")).toEqual(["Room plan"]);
    expect(await titles("offsite")).toEqual(["Room plan"]);
    expect(await titles("a")).toEqual(["Timetable", "Room plan"]);
    expect(await titles("%")).toEqual([]);
    expect((await callerFor(services, mallory).conversations.list({ projectId: malloryProjectId, search: "room" })).items).toEqual([]);
    expect(await failure(api().conversations.list({ projectId, search: "x".repeat(101) }))).toBe("BAD_REQUEST");
  });
});
