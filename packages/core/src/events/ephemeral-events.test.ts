import { createDatabaseClient, type DatabaseClient } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EPHEMERAL_EVENTS_CHANNEL, type EphemeralPayload, publishEvent } from "./catalog";
import { createEphemeralPublisher, MAX_NOTIFY_PAYLOAD_BYTES } from "./ephemeral-publisher";
import { EventHub, type EventSubscription, type HubEvent, type SubscribeOptions } from "./event-hub";

const PROJECT_A = "5c7d2b1a-3e4f-4a6b-8c9d-0e1f2a3b4c5d";
const PROJECT_B = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

let database: TestDatabase;
/** Another process's connection: it LISTENs the way a second instance would, and counts what goes by. */
let observer: DatabaseClient;
let hub: EventHub;

beforeAll(async () => {
  database = await createTestDatabase();
  observer = createDatabaseClient(database.url, { max: 2 });
  hub = new EventHub(database, { pollIntervalMs: 60_000 });
  await hub.start();
});
afterAll(async () => {
  await hub.close();
  await observer.close();
  await database.drop();
});

/** Every NOTIFY payload on the ephemeral channel from now on. */
async function countNotifications() {
  const payloads: string[] = [];
  const listener = await observer.sql.listen(EPHEMERAL_EVENTS_CHANNEL, (payload) => payloads.push(payload));
  return { payloads, stop: () => listener.unlisten() };
}

/** Reads a subscription in the background until `count` events arrived (or the timeout aborts it). */
function collect(source: EventHub, options: Omit<SubscribeOptions, "signal">, count: number, timeoutMs = 10_000) {
  const controller = new AbortController();
  const received: HubEvent[] = [];
  const subscription = source.subscribe({ ...options, signal: controller.signal });
  const done = (async () => {
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    for await (const event of subscription) {
      received.push(event);
      if (received.length >= count) break;
    }
    clearTimeout(timer);
    return received;
  })();
  return { done, received, subscription, stop: () => controller.abort() };
}

/** Subscriptions register when first read; this waits until the hub has `count` of them. */
const subscribersReach = (source: EventHub, count: number) => expect.poll(() => source.stats.subscribers).toBe(count);

const tokens = (events: HubEvent[]) => events.map((event) => event.payload as EphemeralPayload<"agent.token">);
const eventRows = async () => Number((await database.db.execute<{ count: string }>(sql`select count(*) as count from events`))[0]?.count);

describe("ephemeral events", () => {
  it("sends the deltas published within one window as one NOTIFY, merged per stream, in order, never twice, and never to the table", async () => {
    const notifications = await countNotifications();
    const rowsBefore = await eventRows();
    const onA = collect(hub, { projectIds: [PROJECT_A], topics: ["agent.token"] }, 3);
    const onB = collect(hub, { projectIds: [PROJECT_B], topics: ["agent.token"] }, 1);
    await subscribersReach(hub, 2);
    const publisher = createEphemeralPublisher(database.db, { windowMs: 30 });

    // Two answers streaming at once, their deltas interleaved; publish() returns at once, so all fall in one window.
    const first = Array.from({ length: 20 }, (_, index) => `one-${index} `);
    const second = Array.from({ length: 10 }, (_, index) => `two-${index} `);
    for (let index = 0; index < first.length; index += 1) {
      publisher.publish(PROJECT_A, "agent.token", { streamId: "session-1", messageId: "m1", delta: first[index] ?? "", index });
      if (index < second.length) {
        publisher.publish(PROJECT_A, "agent.token", { streamId: "session-2", messageId: "m1", delta: second[index] ?? "", index });
      }
    }
    await expect.poll(() => onA.received.length).toBe(2);
    await expect.poll(() => notifications.payloads.length).toBeGreaterThan(0);
    expect(notifications.payloads).toHaveLength(1);
    expect(tokens(onA.received)).toEqual([
      { streamId: "session-1", messageId: "m1", delta: first.join(""), index: 0, count: 20 },
      { streamId: "session-2", messageId: "m1", delta: second.join(""), index: 0, count: 10 },
    ]);
    expect(publisher.stats).toMatchObject({ published: 30, coalesced: 28, sentEvents: 2, notifications: 1 });

    // The same batch again (a retry whose first attempt did go through) is recognised and not delivered.
    const duplicatesBefore = hub.stats.ephemeralDuplicates;
    await database.db.execute(sql`select pg_notify(${EPHEMERAL_EVENTS_CHANNEL}, ${notifications.payloads[0] ?? ""})`);
    // A project's events reach only that project's subscribers; B's marker comes after A's repeat.
    publisher.publish(PROJECT_A, "agent.token", { streamId: "session-1", messageId: "m1", delta: "end", index: 20 });
    publisher.publish(PROJECT_B, "agent.token", { streamId: "session-b", messageId: "m1", delta: "only-b", index: 0 });
    await publisher.close();
    const [fromA, fromB] = await Promise.all([onA.done, onB.done]);
    expect(hub.stats.ephemeralDuplicates - duplicatesBefore).toBe(2);
    expect(tokens(fromA).map((token) => token.delta)).toEqual([first.join(""), second.join(""), "end"]);
    expect(new Set(fromA.map((event) => event.id)).size).toBe(3);
    expect(tokens(fromB).map((token) => token.delta)).toEqual(["only-b"]);
    expect(await eventRows()).toBe(rowsBefore);
    await notifications.stop();
  });

  it("splits a batch larger than a NOTIFY can carry, and it still arrives whole and in order", async () => {
    const notifications = await countNotifications();
    const watcher = collect(hub, { projectIds: [PROJECT_A], topics: ["task.progress"] }, 40);
    await subscribersReach(hub, 1);
    const publisher = createEphemeralPublisher(database.db, { windowMs: 30 });
    // 40 tasks (no two merge), each event about 500 bytes: some 20 kB, so at least three NOTIFYs.
    const note = "é".repeat(200);
    for (let index = 0; index < 40; index += 1)
      publisher.publish(PROJECT_A, "task.progress", { taskId: `task-${index}`, progress: 0.5, note });
    await publisher.close();
    const received = await watcher.done;
    expect(received.map((event) => (event.payload as EphemeralPayload<"task.progress">).taskId)).toEqual(
      Array.from({ length: 40 }, (_, index) => `task-${index}`),
    );
    await expect.poll(() => notifications.payloads.length).toBeGreaterThanOrEqual(3);
    for (const payload of notifications.payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_NOTIFY_PAYLOAD_BYTES);
    await notifications.stop();
  });

  it("lets a subscriber that stops reading lose its oldest ephemeral events, counted, without delaying another or losing durable ones", async () => {
    // A small durable buffer too, so the stalled subscriber must re-read durable events from the table.
    const smallHub = new EventHub(database, { pollIntervalMs: 60_000, bufferSize: 5 });
    await smallHub.start();
    const controller = new AbortController();
    const stalled: EventSubscription = smallHub.subscribe({
      projectIds: [PROJECT_A],
      topics: ["task.progress", "project.updated"],
      bufferSize: 10,
      signal: controller.signal,
    });
    const firstRead = stalled.next();
    const reader = collect(smallHub, { projectIds: [PROJECT_A], topics: ["task.progress", "project.updated"] }, 60);
    await subscribersReach(smallHub, 2);

    const publisher = createEphemeralPublisher(database.db, { windowMs: 5 });
    const durableIds: number[] = [];
    for (let index = 0; index < 50; index += 1) {
      publisher.publish(PROJECT_A, "task.progress", { taskId: `stall-${index}`, progress: index / 50 });
      if (index % 5 === 0)
        durableIds.push(await database.db.transaction((tx) => publishEvent(tx, PROJECT_A, "project.updated", { name: `n-${index}` })));
      await publisher.flush();
      if (index % 5 === 0) await smallHub.pull();
    }
    await publisher.close();

    // The reader got all 50 and all 10, each kind in order, while the stalled one read nothing past its first event.
    const read = await reader.done;
    const taskIds = (events: HubEvent[]) =>
      events.filter((event) => event.kind === "ephemeral").map((event) => (event.payload as EphemeralPayload<"task.progress">).taskId);
    expect(taskIds(read)).toEqual(Array.from({ length: 50 }, (_, index) => `stall-${index}`));
    expect(read.filter((event) => event.kind === "durable").map((event) => event.id)).toEqual(durableIds);
    expect(reader.subscription.stats.ephemeralDropped).toBe(0);

    const dropped = stalled.stats.ephemeralDropped;
    expect(dropped).toBeGreaterThan(0);
    expect(smallHub.stats.ephemeralDropped).toBe(dropped);

    // Now it reads on: the newest ephemeral events (the oldest went), and every durable one, from the table.
    const resumed: HubEvent[] = [(await firstRead).value as HubEvent];
    const timer = setTimeout(() => controller.abort(), 10_000);
    while (resumed.length < 50 - dropped + durableIds.length) {
      const next = await stalled.next();
      if (next.done) break;
      resumed.push(next.value);
    }
    clearTimeout(timer);
    controller.abort();
    const stalledTasks = taskIds(resumed);
    expect(stalledTasks).toHaveLength(50 - dropped);
    expect(stalledTasks.at(-1)).toBe("stall-49");
    expect(new Set(stalledTasks).size).toBe(stalledTasks.length);
    expect(stalledTasks.map((taskId) => Number(taskId.split("-")[1]))).toEqual(
      stalledTasks.map((taskId) => Number(taskId.split("-")[1])).sort((a, b) => a - b),
    );
    expect(resumed.filter((event) => event.kind === "durable").map((event) => event.id)).toEqual(durableIds);
    expect(smallHub.stats.tableFallbacks).toBeGreaterThan(0);
    await stalled.return(undefined);
    await smallHub.close();
  });

  it("merges a stalled subscriber's token deltas instead of dropping them, so the text stays whole", async () => {
    const controller = new AbortController();
    const stalled = hub.subscribe({ projectIds: [PROJECT_A], topics: ["agent.token"], bufferSize: 3, signal: controller.signal });
    const firstRead = stalled.next();
    await subscribersReach(hub, 1);
    const publisher = createEphemeralPublisher(database.db, { windowMs: 5 });
    const deltas = Array.from({ length: 30 }, (_, index) => `w${index} `);
    // One NOTIFY each, so nothing merges on the way: only the full queue merges.
    for (let index = 0; index < deltas.length; index += 1) {
      publisher.publish(PROJECT_A, "agent.token", { streamId: "slow-reader", messageId: "m2", delta: deltas[index] ?? "", index });
      await publisher.flush();
    }
    await publisher.close();
    await expect.poll(() => stalled.stats.ephemeralQueued).toBe(30);

    const received = [(await firstRead).value as HubEvent];
    let next = 0;
    while (tokens(received).reduce((sum, token) => sum + token.count, 0) < 30 && next < 30) {
      const result = await stalled.next();
      if (result.done) break;
      received.push(result.value);
      next += 1;
    }
    controller.abort();
    await stalled.return(undefined);
    expect(stalled.stats.ephemeralDropped).toBe(0);
    expect(stalled.stats.ephemeralCoalesced).toBeGreaterThan(0);
    expect(received.length).toBeLessThanOrEqual(4);
    expect(
      tokens(received)
        .map((token) => token.delta)
        .join(""),
    ).toBe(deltas.join(""));
  });

  it("refuses a payload that does not match its topic's schema", () => {
    const publisher = createEphemeralPublisher(database.db);
    expect(() => publisher.publish(PROJECT_A, "task.progress", { taskId: "t", progress: 2 })).toThrow(/invalid task.progress/);
    expect(publisher.stats.published).toBe(0);
  });
});
