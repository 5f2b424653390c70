import { createDatabaseClient, type DatabaseClient } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishEvent } from "./catalog";
import { type DurableHubEvent, EventHub, type HubEvent } from "./event-hub";

const PROJECT_A = "7a1f0c1e-8d4b-4a55-9d6b-0f5a2c3e4d5a";
const PROJECT_B = "0b9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c";

let database: TestDatabase;
let secondClient: DatabaseClient;
/** Two instances: separate connections, separate hubs, one database. */
let hubA: EventHub;
let hubB: EventHub;

beforeAll(async () => {
  database = await createTestDatabase();
  secondClient = createDatabaseClient(database.url, { max: 3 });
  hubA = new EventHub(database, { pollIntervalMs: 60_000 });
  hubB = new EventHub(secondClient, { pollIntervalMs: 60_000 });
  await Promise.all([hubA.start(), hubB.start()]);
});
afterAll(async () => {
  await hubA.close();
  await hubB.close();
  await secondClient.close();
  await database.drop();
});

/** Collects what a subscription yields until `count` events arrived (or the timeout). */
function collect(hub: EventHub, options: { projectIds: string[]; afterId?: number; topics?: string[] }, count: number, timeoutMs = 5_000) {
  const controller = new AbortController();
  const received: HubEvent[] = [];
  const done = (async () => {
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    for await (const event of hub.subscribe({ ...options, signal: controller.signal })) {
      received.push(event);
      if (received.length >= count) break;
    }
    clearTimeout(timer);
    return received;
  })();
  return { done, received, stop: () => controller.abort() };
}

const publish = (projectId: string, name: string) =>
  database.db.transaction((tx) => publishEvent(tx, projectId, "project.updated", { name }));

describe("event hub", () => {
  it("delivers a committed event to subscribers on both instances, and nothing from a rolled-back transaction", async () => {
    await Promise.all([hubA.pull(), hubB.pull()]);
    const onA = collect(hubA, { projectIds: [PROJECT_A] }, 1);
    const onB = collect(hubB, { projectIds: [PROJECT_A] }, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await database.db
      .transaction(async (tx) => {
        await publishEvent(tx, PROJECT_A, "project.updated", { name: "never" });
        throw new Error("rollback");
      })
      .catch(() => {});
    const id = await publish(PROJECT_A, "committed");
    const [fromA, fromB] = await Promise.all([onA.done, onB.done]);
    expect(fromA.map((event) => event.id)).toEqual([id]);
    expect(fromB.map((event) => event.payload)).toEqual([{ name: "committed" }]);
  });

  it("sends one NOTIFY per transaction, however many events it holds", async () => {
    const notifications: string[] = [];
    const listener = await secondClient.sql.listen("gathering_events", (payload) => notifications.push(payload));
    await database.db.transaction(async (tx) => {
      for (let index = 0; index < 5; index += 1) await publishEvent(tx, PROJECT_A, "project.updated", { name: `batch-${index}` });
    });
    await expect.poll(() => notifications.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(notifications).toHaveLength(1);
    await listener.unlisten();
  });

  it("resumes after the last seen id with nothing lost and nothing repeated", async () => {
    const before = await publish(PROJECT_A, "resume-0");
    const ids = [before];
    for (let index = 1; index <= 4; index += 1) ids.push(await publish(PROJECT_A, `resume-${index}`));
    const third = ids[2] ?? 0;
    // A client that saw up to the third event reconnects; two more events arrive meanwhile.
    const resumed = collect(hubB, { projectIds: [PROJECT_A], afterId: third, topics: ["project.updated"] }, 4);
    ids.push(await publish(PROJECT_A, "resume-5"), await publish(PROJECT_A, "resume-6"));
    const received = (await resumed.done).map((event) => event.id);
    expect(received).toEqual(ids.filter((id) => id > third));
  });

  it("never gives a subscriber another project's events", async () => {
    await hubA.pull();
    const onlyB = collect(hubA, { projectIds: [PROJECT_B] }, 1, 1_500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await publish(PROJECT_A, "for-a-only");
    const forB = await publish(PROJECT_B, "for-b");
    expect((await onlyB.done).map((event) => event.id)).toEqual([forB]);
  });

  it("lets a subscriber that stops reading fall behind without delaying another, and still loses nothing", async () => {
    const start = await publish(PROJECT_A, "slow-start");
    const slowController = new AbortController();
    const slow = hubA.subscribe({ projectIds: [PROJECT_A], afterId: start, signal: slowController.signal });
    const first = slow.next();
    const fast = collect(hubA, { projectIds: [PROJECT_A], afterId: start }, 30);
    const published: number[] = [];
    for (let index = 0; index < 30; index += 1) published.push(await publish(PROJECT_A, `burst-${index}`));
    expect((await fast.done).map((event) => event.id)).toEqual(published);
    // The slow one has not read anything past its first event; now it catches up, in order and complete.
    const slowIds = [((await first).value as DurableHubEvent).id];
    while (slowIds.length < 30) slowIds.push(((await slow.next()).value as DurableHubEvent).id);
    slowController.abort();
    expect(slowIds).toEqual(published);
  });

  it("picks up an event whose transaction commits after a later one", async () => {
    // Let the hub read everything committed so far, so the watcher sees only what follows.
    await hubB.pull();
    const watcher = collect(hubB, { projectIds: [PROJECT_A] }, 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    let releaseEarly: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      releaseEarly = resolve;
    });
    // The first transaction takes the lower id but commits last.
    const early = database.db.transaction(async (tx) => {
      const id = await publishEvent(tx, PROJECT_A, "project.updated", { name: "early-id-late-commit" });
      await held;
      await tx.execute(sql`select 1`);
      return id;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await publish(PROJECT_A, "late-id-early-commit");
    await new Promise((resolve) => setTimeout(resolve, 200));
    releaseEarly();
    const earlyId = await early;
    expect(earlyId).toBeLessThan(late);
    expect((await watcher.done).map((event) => Number(event.id)).sort((a, b) => a - b)).toEqual([earlyId, late]);
  });
});
