import { type AccountsConfig, createEphemeralPublisher, EventHub, publishEvent, signUp } from "@gathering/core";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../../context";
import { callerFor, createTestServices } from "../../test-services";

const accounts: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "open" };

let database: TestDatabase;
let hub: EventHub;
let projectId: string;
let alice: Caller;

beforeAll(async () => {
  database = await createTestDatabase();
  hub = new EventHub(database, { pollIntervalMs: 60_000 });
  const account = await signUp(database.db, accounts, {
    email: "alice@example.com",
    name: "Alice",
    password: "correct horse battery staple",
  });
  projectId = account.projectId;
  alice = { userId: account.id, source: "session" };
});
afterAll(async () => {
  await hub.close();
  await database.drop();
});

/** What the SSE stream carries for one event: the id the client will send back on reconnect, and the data. */
type Sent = { id: string; data: { kind: "durable" | "ephemeral"; id: number; eventId?: string; topic: string; payload: unknown } };

/** Opens events.subscribe in process and reads `count` messages (tracked envelopes are [id, data, marker]). */
async function read(input: { topics?: string[]; lastEventId?: string }, count: number, whileOpen: () => Promise<void>): Promise<Sent[]> {
  const api = callerFor(createTestServices(database, { eventHub: hub }), alice);
  const stream = (await api.events.subscribe({ projectId, ...input })) as AsyncIterable<unknown>;
  const iterator = stream[Symbol.asyncIterator]();
  const first = iterator.next();
  await expect.poll(() => hub.stats.subscribers).toBe(1);
  await whileOpen();
  const sent: Sent[] = [];
  for (let next = await first; !next.done; next = await iterator.next()) {
    const [id, data] = next.value as [string, Sent["data"]];
    sent.push({ id, data });
    if (sent.length >= count) break;
  }
  await iterator.return?.();
  await expect.poll(() => hub.stats.subscribers).toBe(0);
  return sent;
}

const publishDurable = (name: string) => database.db.transaction((tx) => publishEvent(tx, projectId, "project.updated", { name }));

describe("events.subscribe", () => {
  it("streams durable and ephemeral topics together; ephemeral ones carry the durable resume point as their id", async () => {
    const publisher = createEphemeralPublisher(database.db, { windowMs: 5 });
    let durableId = 0;
    const sent = await read({ topics: ["project.updated", "agent.token"] }, 3, async () => {
      durableId = await publishDurable("before-tokens");
      // Read at once (not on the NOTIFY's schedule), so it is in the stream before the tokens.
      await hub.pull();
      publisher.publish(projectId, "agent.token", { streamId: "session-1", messageId: "m1", delta: "Hel", index: 0 });
      publisher.publish(projectId, "agent.token", { streamId: "session-1", messageId: "m1", delta: "lo", index: 1 });
      await publisher.flush();
      publisher.publish(projectId, "task.progress", { taskId: "not-asked-for", progress: 0.5 });
      publisher.publish(projectId, "agent.token", { streamId: "session-1", messageId: "m1", delta: "!", index: 2 });
      await publisher.close();
    });
    expect(sent.map((message) => message.data.kind)).toEqual(["durable", "ephemeral", "ephemeral"]);
    expect(sent[0]).toMatchObject({
      id: String(durableId),
      data: { id: durableId, topic: "project.updated", payload: { name: "before-tokens" } },
    });
    // The reconnect point stays the durable event's id: a client that saw the tokens misses no durable event.
    expect(sent[1]).toMatchObject({
      id: String(durableId),
      data: { id: durableId, topic: "agent.token", payload: { delta: "Hello", index: 0, count: 2 } },
    });
    expect(sent[2]?.data.payload).toMatchObject({ delta: "!", index: 2 });
    expect(sent[1]?.data.eventId).not.toBe(sent[2]?.data.eventId);
  });

  it("sends no ephemeral topic unless asked for by name, and resumes durable ones after an ephemeral message's id", async () => {
    const resumeFrom = String(await publishDurable("seen"));
    const publisher = createEphemeralPublisher(database.db, { windowMs: 5 });
    const sent = await read({ lastEventId: resumeFrom }, 1, async () => {
      publisher.publish(projectId, "agent.token", { streamId: "s", messageId: "m", delta: "unseen", index: 0 });
      await publisher.close();
      await publishDurable("missed-while-away");
      await hub.pull();
    });
    expect(sent.map((message) => message.data.payload)).toEqual([{ name: "missed-while-away" }]);
    const stored = await database.db.execute(sql`select 1 from events where topic = 'agent.token'`);
    expect(stored).toHaveLength(0);
  });

  it("events.ping enqueues the worker job that will answer it", async () => {
    const api = callerFor(createTestServices(database, { eventHub: hub }), alice);
    const { pingId, jobId } = await api.events.ping({ projectId });
    const rows = await database.db.execute<{ task_identifier: string; payload: { pingId: string; projectId: string } }>(
      sql`select t.identifier as task_identifier, j.payload from graphile_worker._private_jobs j
          join graphile_worker._private_tasks t on t.id = j.task_id where j.id = ${jobId}`,
    );
    expect(rows[0]).toMatchObject({ task_identifier: "events:ping", payload: { pingId, projectId } });
  });
});
