/**
 * Schedules on a real Graphile Worker: the claim under concurrency, two workers with a fast tick across
 * a minute boundary (each expected fire exactly once, counted against the cron math), downtime and the
 * catch-up policies, and each action end to end: in-app notification, a signed webhook (a local
 * receiver checks the signature, a 500 is retried with the same delivery id), call_api blocked for a
 * private host unless allowed, execute_pipeline and run_task linked to the fire they came from.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import {
  compileCron,
  createAgent,
  createCircle,
  createLogger,
  createPipeline,
  createSchedule,
  dueFireTimes,
  type Logger,
  parseKeyring,
  runScheduleNow,
  runScheduleTick,
  signUp,
  type TCreateScheduleInput,
  verifyWebhookSignature,
} from "@gathering/core";
import { schema } from "@gathering/db";
import { scheduleQueue } from "@gathering/jobs";
import { createTestDatabase, type EffectReceiver, startEffectReceiver, type TestDatabase } from "@gathering/testing";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "./run-worker";

const logger = createLogger({ level: "silent" }) as Logger;
const keyring = parseKeyring("test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
let database: TestDatabase;
let receiver: EffectReceiver;
let actor: { userId: string };
let projectId: string;
const workers: WorkerHandle[] = [];

/** A webhook receiver that keeps headers (the effect receiver does not) and fails its first N requests. */
async function startWebhookReceiver(failFirst: number) {
  const received: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.writeHead(received.length <= failFirst ? 500 : 200).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, host: `127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(r)) };
}

async function newSchedule(input: Omit<TCreateScheduleInput, "name"> & { name?: string }) {
  return createSchedule(database.db, { queue: scheduleQueue, keyring }, actor, { projectId, name: `S ${Math.random()}`, ...input });
}

async function fireOf(fireId: string) {
  const [fire] = await database.db.select().from(schema.scheduleFires).where(eq(schema.scheduleFires.id, fireId));
  if (!fire) throw new Error("no fire");
  return fire;
}

async function settled(fireId: string, timeout = 20_000) {
  await expect.poll(async () => (await fireOf(fireId)).status, { timeout, interval: 100 }).toMatch(/succeeded|failed/);
  return fireOf(fireId);
}

async function firesOf(scheduleIds: string[]) {
  return database.db.select().from(schema.scheduleFires).where(inArray(schema.scheduleFires.scheduleId, scheduleIds));
}

async function startWorkers(count: number, allowedHosts: string[] = []) {
  for (let index = 0; index < count; index++) {
    workers.push(
      await startWorker({
        connectionString: database.url,
        logger,
        keyring,
        concurrency: 4,
        pollIntervalMs: 200,
        scheduleTickMs: 1_000,
        toolServices: { allowedHosts },
      }),
    );
  }
}

async function stopWorkers() {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
}

beforeAll(async () => {
  database = await createTestDatabase({ max: 20 });
  receiver = await startEffectReceiver();
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "sched@example.com", name: "Sched", password: "correct horse battery staple" },
  );
  actor = { userId: account.id };
  projectId = account.projectId;
});
afterAll(async () => {
  await stopWorkers();
  await receiver?.close();
  await database?.drop();
});

describe("the claim", () => {
  it("two transactions claiming the same due schedules never both win", async () => {
    const created = [];
    for (let index = 0; index < 40; index++)
      created.push(await newSchedule({ cron: "* * * * *", action: { kind: "send_notification", title: "x", inApp: {} } }));
    const ids = created.map((schedule) => schedule.id);
    // The start of this minute: a real fire time of * * * * *, due and on time.
    const due = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await database.db.update(schema.schedules).set({ nextFireAt: due }).where(inArray(schema.schedules.id, ids));
    // Held open: the first claim's locks; the second, meanwhile, sees none of those rows.
    let releaseFirst = () => {};
    const held = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstClaimed = 0;
    const first = database.db.transaction(async (tx) => {
      const rows = await tx.execute<{ id: string }>(
        sql`select id from schedules where id in ${ids} and not is_paused and next_fire_at <= now() for update skip locked`,
      );
      firstClaimed = rows.length;
      await held;
    });
    await expect.poll(() => firstClaimed).toBe(40);
    const second = await runScheduleTick(database.db, scheduleQueue, {});
    expect(second.claimed).toBe(0);
    releaseFirst();
    await first;
    // Many ticks at once over the same due rows: every schedule fires exactly once.
    const results = await Promise.all(Array.from({ length: 6 }, () => runScheduleTick(database.db, scheduleQueue, { batchSize: 7 })));
    expect(results.reduce((sum, result) => sum + result.claimed, 0)).toBe(40);
    const fires = await firesOf(ids);
    expect(fires).toHaveLength(40);
    expect(new Set(fires.map((fire) => fire.scheduleId)).size).toBe(40);
    const jobs = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker.jobs where key in ${fires.map((fire) => `fire:${fire.id}`)}`,
    );
    expect(jobs[0]?.n).toBe(40);
    await database.db.delete(schema.schedules).where(inArray(schema.schedules.id, ids));
  });
});

describe("downtime", () => {
  it("obeys skip, latest and all (up to the cap) for fire times missed while nothing ran", async () => {
    // Hourly, next fire 5 hours ago: nothing is on time unless we are just past the hour.
    if (new Date().getUTCMinutes() < 2) await new Promise((resolve) => setTimeout(resolve, 120_000 - (Date.now() % 3_600_000)));
    const hourly = {
      cron: "0 * * * *",
      action: { kind: "send_notification" as const, title: "Hourly", inApp: {} },
      overlapPolicy: "allow" as const,
    };
    const skip = await newSchedule({ ...hourly, catchUpPolicy: "skip" });
    const latest = await newSchedule({ ...hourly, catchUpPolicy: "latest" });
    const all = await newSchedule({ ...hourly, catchUpPolicy: "all", catchUpLimit: 3 });
    const lastHour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const fiveHoursAgo = new Date(lastHour.getTime() - 4 * 3_600_000);
    await database.db
      .update(schema.schedules)
      .set({ nextFireAt: fiveHoursAgo })
      .where(inArray(schema.schedules.id, [skip.id, latest.id, all.id]));
    await startWorkers(1);
    await expect.poll(async () => (await firesOf([latest.id, all.id])).length, { timeout: 20_000 }).toBe(4);
    await expect
      .poll(async () => (await firesOf([latest.id, all.id])).every((fire) => fire.status === "succeeded"), { timeout: 20_000 })
      .toBe(true);
    await stopWorkers();
    const byHour = async (id: string) => (await firesOf([id])).map((fire) => `${fire.trigger}@${fire.fireAt.toISOString()}`).sort();
    const hour = (back: number) => new Date(lastHour.getTime() - back * 3_600_000).toISOString();
    expect(await byHour(skip.id)).toEqual([]);
    expect(await byHour(latest.id)).toEqual([`catch_up@${hour(0)}`]);
    expect(await byHour(all.id)).toEqual([`catch_up@${hour(2)}`, `catch_up@${hour(1)}`, `catch_up@${hour(0)}`]);
    const rows = await database.db
      .select()
      .from(schema.schedules)
      .where(inArray(schema.schedules.id, [skip.id, latest.id, all.id]));
    for (const row of rows) expect(row.nextFireAt?.toISOString()).toBe(new Date(lastHour.getTime() + 3_600_000).toISOString());
    await database.db.delete(schema.schedules).where(inArray(schema.schedules.id, [skip.id, latest.id, all.id]));
  }, 200_000);
});

describe("actions end to end", () => {
  it("in-app: one notification per member, not repeated when the job runs again", async () => {
    const schedule = await newSchedule({
      cron: "0 0 1 1 *",
      action: { kind: "send_notification", title: "Standup", body: "now", inApp: {} },
    });
    const countEvents = async () =>
      (await database.db.execute<{ n: number }>(sql`select count(*)::int as n from events where topic = 'notifications.changed'`))[0]?.n ??
      0;
    const before = await countEvents();
    await startWorkers(1);
    const fire = await runScheduleNow(database.db, { queue: scheduleQueue }, actor, { projectId, scheduleId: schedule.id });
    expect((await settled(fire.id)).status).toBe("succeeded");
    await database.db.transaction((tx) => scheduleQueue.enqueueFires(tx, [fire.id]));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rows = await database.db.select().from(schema.notifications).where(eq(schema.notifications.fireId, fire.id));
    expect(rows.map((row) => [row.userId, row.title, row.link])).toEqual([[actor.userId, "Standup", `/schedules/${schedule.id}`]]);
    expect(await countEvents()).toBe(before + 1);
    await stopWorkers();
  });

  it("webhook: signed with the schedule's secret, a 500 retried with the same delivery id", async () => {
    const hook = await startWebhookReceiver(1);
    const schedule = await newSchedule({
      cron: "0 0 1 1 *",
      action: { kind: "send_notification", title: "Deploy", body: "done", webhook: { url: hook.url } },
    });
    await startWorkers(1, [hook.host]);
    const fire = await runScheduleNow(database.db, { queue: scheduleQueue }, actor, { projectId, scheduleId: schedule.id });
    const done = await settled(fire.id, 30_000);
    await stopWorkers();
    await hook.close();
    expect(done).toMatchObject({ status: "succeeded", attempts: 2, result: { webhook: { status: 200, ok: true } } });
    expect(hook.received).toHaveLength(2);
    for (const request of hook.received) {
      expect(request.headers["x-gathering-delivery"]).toBe(fire.id);
      expect(request.headers["idempotency-key"]).toBe(fire.id);
      const signed = {
        signature: String(request.headers["x-gathering-signature"]),
        timestamp: String(request.headers["x-gathering-timestamp"]),
        body: request.body,
      };
      expect(verifyWebhookSignature({ secret: schedule.webhookSecret ?? "", ...signed })).toBe(true);
      expect(verifyWebhookSignature({ secret: "whsec_wrong", ...signed })).toBe(false);
      expect(verifyWebhookSignature({ secret: schedule.webhookSecret ?? "", ...signed, body: `${request.body} ` })).toBe(false);
      expect(JSON.parse(request.body)).toMatchObject({ deliveryId: fire.id, title: "Deploy", schedule: { id: schedule.id } });
    }
  }, 60_000);

  it("call_api: blocked for a private host not allowed; allowed one gets the Idempotency-Key and its answer is stored", async () => {
    const blocked = await startWebhookReceiver(0);
    receiver.behave("/api", { kind: "ok", status: 201, body: { accepted: true } });
    const allowedSchedule = await newSchedule({
      cron: "0 0 1 1 *",
      name: "Report",
      action: {
        kind: "call_api",
        method: "PUT",
        url: `${receiver.url}/api`,
        headers: { "x-team": "ops" },
        body: '{"fire":"{{fire.id}}","name":"{{schedule.name}}"}',
      },
    });
    const blockedSchedule = await newSchedule({ cron: "0 0 1 1 *", action: { kind: "call_api", url: blocked.url } });
    await startWorkers(1, [receiver.host]);
    const allowedFire = await runScheduleNow(database.db, { queue: scheduleQueue }, actor, { projectId, scheduleId: allowedSchedule.id });
    const blockedFire = await runScheduleNow(database.db, { queue: scheduleQueue }, actor, { projectId, scheduleId: blockedSchedule.id });
    const allowed = await settled(allowedFire.id);
    const refused = await settled(blockedFire.id);
    await stopWorkers();
    await blocked.close();
    expect(allowed).toMatchObject({ status: "succeeded", result: { response: { status: 201, body: '{"accepted":true}' } } });
    const request = receiver.requests.find((candidate) => candidate.path === "/api");
    expect(request).toMatchObject({ method: "PUT", idempotencyKey: allowedFire.id });
    expect(JSON.parse(request?.body ?? "{}")).toEqual({ fire: allowedFire.id, name: "Report" });
    expect(refused.status).toBe("failed");
    expect(refused.attempts).toBe(1);
    expect(refused.error).toMatch(/private|not allowed|blocked|loopback/i);
    expect(blocked.received).toHaveLength(0);
  });

  it("execute_pipeline and run_task (agent and circle) start one run, one task and one circle run, linked to the fire", async () => {
    const pipeline = await createPipeline(database.db, actor, {
      projectId,
      name: "Scheduled",
      definition: { nodes: [{ id: "wait", type: "delay", config: { ms: 0 } }], edges: [] },
    });
    const agent = await createAgent(database.db, actor, {
      projectId,
      definition: {
        name: "Ada",
        role: "a helper",
        goal: "Help",
        instructions: "Be brief.",
        model: { provider: "openai", model: "gpt-4o-mini" },
      },
    });
    const second = await createAgent(database.db, actor, {
      projectId,
      definition: { name: "Bo", role: "a second helper", model: { provider: "openai", model: "gpt-4o-mini" } },
    });
    const circle = await createCircle(database.db, actor, {
      projectId,
      definition: {
        name: "Scheduled circle",
        strategy: "round_robin",
        members: [{ agentId: agent?.id ?? "" }, { agentId: second.id }],
        termination: { maxTurns: 1 },
      },
    });
    const circleRuns = await newSchedule({
      cron: "0 0 1 1 *",
      action: { kind: "run_task", target: { kind: "circle", circleId: circle.id }, input: "Plan the week" },
    });
    const runs = await newSchedule({ cron: "0 0 1 1 *", action: { kind: "execute_pipeline", pipelineId: pipeline.id, inputs: {} } });
    const tasks = await newSchedule({
      cron: "0 0 1 1 *",
      action: { kind: "run_task", target: { kind: "agent", agentId: agent?.id ?? "" }, input: "Summarise" },
    });
    await startWorkers(1);
    const runFire = await runScheduleNow(database.db, { queue: scheduleQueue }, actor, { projectId, scheduleId: runs.id });
    const taskFire = await runScheduleNow(database.db, { queue: scheduleQueue }, actor, { projectId, scheduleId: tasks.id });
    const circleFire = await runScheduleNow(database.db, { queue: scheduleQueue }, actor, { projectId, scheduleId: circleRuns.id });
    const ranFire = await settled(runFire.id);
    const taskedFire = await settled(taskFire.id);
    const circledFire = await settled(circleFire.id);
    // Run the same fires' jobs again: the links make them no-ops.
    await database.db.transaction((tx) => scheduleQueue.enqueueFires(tx, [runFire.id, taskFire.id, circleFire.id]));
    await new Promise((resolve) => setTimeout(resolve, 800));
    await stopWorkers();
    expect(ranFire.status).toBe("succeeded");
    const pipelineRuns = await database.db.select().from(schema.pipelineRuns).where(eq(schema.pipelineRuns.pipelineId, pipeline.id));
    expect(pipelineRuns.map((run) => [run.id, run.origin])).toEqual([[ranFire.pipelineRunId, { kind: "schedule", id: runs.id, depth: 0 }]]);
    expect(taskedFire.status).toBe("succeeded");
    const agentTasks = await database.db
      .select()
      .from(schema.agentTasks)
      .where(eq(schema.agentTasks.agentId, agent?.id ?? ""));
    expect(agentTasks.map((task) => [task.id, task.origin])).toEqual([[taskedFire.agentTaskId, { kind: "schedule", id: taskFire.id }]]);
    expect(circledFire.status).toBe("succeeded");
    const started = await database.db.select().from(schema.circleRuns).where(eq(schema.circleRuns.circleId, circle.id));
    expect(started.map((run) => [run.id, run.origin])).toEqual([
      [(circledFire.result as { circleRunId?: string }).circleRunId, { kind: "schedule", id: circleRuns.id }],
    ]);
  });
});

describe("two workers, fast tick", () => {
  it("fires each expected time exactly once across a minute boundary", async () => {
    const cronTexts = ["* * * * *", "*/2 * * * *", "*/3 * * * *", "0 0 1 1 *"];
    const ids: string[] = [];
    const createdAt = new Date();
    for (let index = 0; index < 24; index++) {
      const schedule = await newSchedule({
        cron: cronTexts[index % cronTexts.length] ?? "* * * * *",
        action: { kind: "send_notification", title: "t", inApp: {} },
      });
      ids.push(schedule.id);
    }
    await startWorkers(2);
    // Run past the next minute boundary, plus time for the tick and the actions.
    const until = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000 + 4_000);
    await new Promise((resolve) => setTimeout(resolve, until.getTime() - Date.now()));
    await stopWorkers();
    const stoppedAt = new Date();
    const rows = await database.db.select().from(schema.schedules).where(inArray(schema.schedules.id, ids));
    const fires = await firesOf(ids);
    let expected = 0;
    for (const row of rows) {
      const times = dueFireTimes(compileCron(row.cron, row.timezone), createdAt, until, 10);
      expected += times.length;
      const mine = fires.filter((fire) => fire.scheduleId === row.id).map((fire) => fire.fireAt.toISOString());
      expect(mine.sort()).toEqual(times.map((time) => time.toISOString()));
    }
    expect(expected).toBeGreaterThanOrEqual(6);
    expect(fires.every((fire) => fire.status === "succeeded" && fire.trigger === "cron")).toBe(true);
    expect(stoppedAt.getTime()).toBeGreaterThan(until.getTime());
  }, 120_000);
});
