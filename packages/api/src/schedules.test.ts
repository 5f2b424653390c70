/**
 * schedules.* and notifications.* through the API on a real database: create with every action kind,
 * bad input refused with a typed error and nothing written (invalid cron, unknown zone, another
 * project's pipeline or agent, circles), pause/resume, preview, runNow enqueuing one job per fire,
 * history, the webhook secret, and notifications read state kept per user.
 */
import { type AccountsConfig, acceptInvitation, deliverInAppNotifications, inviteMember, signUp } from "@gathering/core";
import { schema } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServices, Caller } from "./context";
import { callerFor, createTestServices, signUpCaller } from "./test-services";

const accounts: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "open" };
let database: TestDatabase;
let services: ApiServices;
let alice: Caller;
let mallory: Caller;
let projectId: string;
let malloryProjectId: string;
let pipelineId: string;
let malloryPipelineId: string;
let agentId: string;
let malloryAgentId: string;

const api = () => callerFor(services, alice);

async function failure(call: Promise<unknown>): Promise<{ code: string; field?: unknown; reason?: unknown }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) {
      const cause = error.cause as { code?: string; details?: Record<string, unknown> } | undefined;
      return { code: cause?.code ?? error.code, field: cause?.details?.field, reason: cause?.details?.reason };
    }
    throw error;
  }
  return { code: "succeeded" };
}

async function counts() {
  const [schedules] = await database.db.select({ n: count() }).from(schema.schedules);
  const [fires] = await database.db.select({ n: count() }).from(schema.scheduleFires);
  const [jobs] = await database.db.execute<{ n: number }>(
    sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'schedules:run-fire'`,
  );
  return { schedules: schedules?.n, fires: fires?.n, jobs: jobs?.n };
}

const notify = { kind: "send_notification" as const, title: "Standup", body: "Time for standup", inApp: {} };

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  ({ caller: alice, projectId } = await signUpCaller(database.db, "Alice"));
  ({ caller: mallory, projectId: malloryProjectId } = await signUpCaller(database.db, "Mallory"));
  const definition = { nodes: [{ id: "wait", type: "delay", config: { ms: 0 } }], edges: [] };
  pipelineId = (await api().pipelines.create({ projectId, name: "Nightly", definition })).id;
  malloryPipelineId = (await callerFor(services, mallory).pipelines.create({ projectId: malloryProjectId, name: "Theirs", definition })).id;
  const agent = { role: "a helper", goal: "Help", instructions: "Be brief.", model: { provider: "openai" as const, model: "gpt-4o-mini" } };
  agentId = (await api().agents.create({ projectId, name: "Ada", ...agent })).id;
  malloryAgentId = (await callerFor(services, mallory).agents.create({ projectId: malloryProjectId, name: "Eve", ...agent })).id;
});
afterAll(async () => {
  await database?.drop();
});

describe("create and read", () => {
  it("creates a schedule of each action kind with its next fire time", async () => {
    const before = Date.now();
    const created = await api().schedules.create({
      projectId,
      name: "Every weekday at nine",
      cron: "0 9 * * 1-5",
      timezone: "Europe/Berlin",
      action: { kind: "execute_pipeline", pipelineId, inputs: {} },
    });
    expect(created).toMatchObject({
      name: "Every weekday at nine",
      overlapPolicy: "skip",
      catchUpPolicy: "skip",
      isPaused: false,
      webhookSecret: null,
    });
    expect(created.nextFireAt?.getTime()).toBeGreaterThan(before);
    const task = await api().schedules.create({
      projectId,
      name: "Task",
      cron: "*/5 * * * *",
      action: { kind: "run_task", target: { kind: "agent", agentId }, input: "Summarise the news" },
    });
    expect(task.action).toMatchObject({ kind: "run_task" });
    const call = await api().schedules.create({
      projectId,
      name: "Ping",
      cron: "* * * * *",
      action: {
        kind: "call_api",
        method: "POST",
        url: "https://example.com/hook",
        headers: { "x-token": "t" },
        body: '{"fire":"{{fire.id}}"}',
      },
    });
    expect(call.action).toMatchObject({ kind: "call_api", method: "POST" });
    const hook = await api().schedules.create({
      projectId,
      name: "Hook",
      cron: "0 * * * *",
      action: { ...notify, webhook: { url: "https://example.com/webhook" } },
    });
    expect(hook.webhookSecret).toMatch(/^whsec_/);
    expect(hook.hasWebhookSecret).toBe(true);
    expect(await api().schedules.webhookSecret({ projectId, scheduleId: hook.id })).toEqual({ webhookSecret: hook.webhookSecret });
    const [stored] = await database.db.select().from(schema.schedules).where(eq(schema.schedules.id, hook.id));
    expect(JSON.stringify(stored)).not.toContain(hook.webhookSecret ?? "none");

    const listed = await api().schedules.list({ projectId });
    expect(listed.items.map((item) => item.name)).toEqual(["Hook", "Ping", "Task", "Every weekday at nine"]);
    expect(await api().schedules.get({ projectId, scheduleId: created.id })).toMatchObject({
      cron: "0 9 * * 1-5",
      timezone: "Europe/Berlin",
    });
    // A tick is asked for at the first fire time.
    const [tick] = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'schedules:tick'`,
    );
    expect(tick?.n).toBeGreaterThanOrEqual(1);
  });

  it("previews the next fire times in the time zone", async () => {
    const preview = await api().schedules.preview({ projectId, cron: "30 2 * * *", timezone: "Europe/Berlin", count: 3 });
    expect(preview.times).toHaveLength(3);
    for (const time of preview.times) {
      const local = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit" }).format(time);
      expect(["02:30", "03:00"]).toContain(local);
    }
  });
});

describe("bad input changes nothing", () => {
  const base = { name: "Bad", cron: "* * * * *", action: notify };
  const cases: Array<[string, Record<string, unknown>, string, unknown]> = [
    ["invalid cron", { cron: "61 * * * *" }, "VALIDATION_FAILED", "cron"],
    ["six fields", { cron: "0 * * * * *" }, "VALIDATION_FAILED", "cron"],
    ["unknown time zone", { timezone: "Mars/Olympus" }, "VALIDATION_FAILED", "timezone"],
    ["another project's pipeline", { action: { kind: "execute_pipeline", pipelineId: "" } }, "NOT_FOUND", "action.pipelineId"],
    [
      "another project's agent",
      { action: { kind: "run_task", target: { kind: "agent", agentId: "" }, input: "x" } },
      "NOT_FOUND",
      "action.target.agentId",
    ],
    ["a recipient outside the project", { action: { ...notify, inApp: { userIds: [""] } } }, "NOT_FOUND", "action.inApp.userIds"],
  ];
  for (const [label, overrides, code, field] of cases) {
    it(`refuses ${label}`, async () => {
      const action = JSON.parse(
        JSON.stringify(overrides.action ?? base.action)
          .replace('"pipelineId":""', `"pipelineId":"${malloryPipelineId}"`)
          .replace('"agentId":""', `"agentId":"${malloryAgentId}"`)
          .replace('"userIds":[""]', `"userIds":["${mallory.userId}"]`),
      );
      const before = await counts();
      expect(await failure(api().schedules.create({ projectId, ...base, ...overrides, action } as never))).toMatchObject({ code, field });
      expect(await counts()).toEqual(before);
    });
  }

  it("refuses a circle that is not in the project with a typed error", async () => {
    const before = await counts();
    const result = await failure(
      api().schedules.create({
        projectId,
        ...base,
        action: { kind: "run_task", target: { kind: "circle", circleId: "00000000-0000-4000-8000-000000000000" }, input: "x" },
      }),
    );
    expect(result).toMatchObject({ code: "NOT_FOUND", field: "action.target.circleId" });
    expect(await counts()).toEqual(before);
  });

  it("refuses shapes zod catches: no channel, reserved headers, non-http URLs", async () => {
    const before = await counts();
    expect((await failure(api().schedules.create({ projectId, ...base, action: { kind: "send_notification", title: "x" } }))).code).toBe(
      "BAD_REQUEST",
    );
    for (const url of ["ftp://example.com/x", "https://user:pw@example.com/", "not a url"]) {
      expect((await failure(api().schedules.create({ projectId, ...base, action: { kind: "call_api", url } }))).code).toBe("BAD_REQUEST");
    }
    expect(
      (
        await failure(
          api().schedules.create({
            projectId,
            ...base,
            action: { kind: "call_api", url: "https://example.com", headers: { "Idempotency-Key": "mine" } },
          }),
        )
      ).code,
    ).toBe("BAD_REQUEST");
    expect(await counts()).toEqual(before);
  });

  it("refuses an update to an invalid cron and keeps the schedule as it was", async () => {
    const created = await api().schedules.create({ projectId, ...base, name: "Keep me" });
    const result = await failure(api().schedules.update({ projectId, scheduleId: created.id, cron: "* * * * * * *" }));
    expect(result.code).toBe("VALIDATION_FAILED");
    expect(await api().schedules.get({ projectId, scheduleId: created.id })).toMatchObject({
      cron: "* * * * *",
      updatedAt: created.updatedAt,
    });
  });

  it("does not let another project's member see or change a schedule", async () => {
    const created = await api().schedules.create({ projectId, ...base, name: "Private" });
    const theirs = callerFor(services, mallory);
    expect((await failure(theirs.schedules.get({ projectId, scheduleId: created.id }))).code).toBe("NOT_FOUND");
    expect((await failure(theirs.schedules.get({ projectId: malloryProjectId, scheduleId: created.id }))).code).toBe("NOT_FOUND");
    expect((await failure(theirs.schedules.delete({ projectId: malloryProjectId, scheduleId: created.id }))).code).toBe("NOT_FOUND");
    expect((await failure(theirs.schedules.runNow({ projectId: malloryProjectId, scheduleId: created.id }))).code).toBe("NOT_FOUND");
  });
});

describe("pause, resume, run now, history, delete", () => {
  it("pauses and resumes, audited", async () => {
    const created = await api().schedules.create({ projectId, name: "Pausable", cron: "0 0 * * *", action: notify });
    expect(await api().schedules.pause({ projectId, scheduleId: created.id })).toMatchObject({ isPaused: true });
    const resumed = await api().schedules.resume({ projectId, scheduleId: created.id });
    expect(resumed.isPaused).toBe(false);
    expect(resumed.nextFireAt?.getTime()).toBeGreaterThan(Date.now());
    const actions = await database.db
      .select({ action: schema.auditLog.action })
      .from(schema.auditLog)
      .where(eq(schema.auditLog.target, created.id));
    expect(actions.map((row) => row.action).sort()).toEqual(["schedule.create", "schedule.pause", "schedule.resume"]);
  });

  it("runs now: one fire row, one job keyed by it, shown in history; delete removes both", async () => {
    const created = await api().schedules.create({ projectId, name: "Manual", cron: "0 0 1 1 *", action: notify });
    const fire = await api().schedules.runNow({ projectId, scheduleId: created.id });
    expect(fire).toMatchObject({ trigger: "manual", status: "queued", actionKind: "send_notification" });
    const jobs = await database.db.execute<{ key: string }>(
      sql`select key from graphile_worker.jobs where task_identifier = 'schedules:run-fire'`,
    );
    expect(jobs.map((job) => job.key)).toContain(`fire:${fire.id}`);
    const history = await api().schedules.history({ projectId, scheduleId: created.id });
    expect(history.items.map((item) => item.id)).toEqual([fire.id]);
    await api().schedules.delete({ projectId, scheduleId: created.id });
    expect((await failure(api().schedules.get({ projectId, scheduleId: created.id }))).code).toBe("NOT_FOUND");
    const [left] = await database.db
      .select({ n: count() })
      .from(schema.scheduleFires)
      .where(eq(schema.scheduleFires.scheduleId, created.id));
    expect(left?.n).toBe(0);
  });
});

describe("notifications", () => {
  it("are per user: counts, lists and read state of one member never touch another's; a viewer marks their own read", async () => {
    const invitation = await inviteMember(
      database.db,
      { userId: alice.userId, role: "owner" },
      { projectId, email: "bob@example.com", role: "viewer" },
    );
    const bob = await signUp(database.db, accounts, { email: "bob@example.com", name: "Bob", password: "correct horse battery staple" });
    await acceptInvitation(database.db, { userId: bob.id, email: "bob@example.com" }, { token: invitation.token });
    const bobCaller: Caller = { userId: bob.id, source: "session" };
    const fireId = "00000000-0000-4000-8000-000000000001";
    const delivered = await database.db.transaction((tx) =>
      deliverInAppNotifications(tx, { projectId, fireId, title: "Hello", body: "", level: "info", link: null }),
    );
    expect(delivered).toBe(2);
    // A repeat of the same fire adds nothing.
    expect(
      await database.db.transaction((tx) =>
        deliverInAppNotifications(tx, { projectId, fireId, title: "Hello", body: "", level: "info", link: null }),
      ),
    ).toBe(0);
    expect(await api().notifications.unreadCount({ projectId })).toEqual({ count: 1 });
    const bobApi = callerFor(services, bobCaller);
    expect(await bobApi.notifications.unreadCount({ projectId })).toEqual({ count: 1 });
    const list = await api().notifications.list({ projectId });
    expect(list.items).toHaveLength(1);
    expect(await bobApi.notifications.markRead({ projectId, notificationIds: [list.items[0]?.id ?? ""] })).toEqual({ marked: 0 });
    expect(await api().notifications.markRead({ projectId })).toEqual({ marked: 1 });
    expect(await api().notifications.unreadCount({ projectId })).toEqual({ count: 0 });
    expect(await bobApi.notifications.unreadCount({ projectId })).toEqual({ count: 1 });
    expect(await bobApi.notifications.markRead({ projectId })).toEqual({ marked: 1 });
    expect(await bobApi.notifications.unreadCount({ projectId })).toEqual({ count: 0 });
  });
});
