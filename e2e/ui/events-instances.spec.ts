/**
 * The event bus across instances: a second web instance (`gathering start --no-worker`) joins the
 * suite app's database, and events reach SDK subscribers on both: a durable one published by the
 * worker (the answer to `events.ping`), and ephemeral token deltas published from a process of their
 * own (support/ephemeral-publisher-child.ts), as a worker streaming a model's answer does.
 */
import { createGatheringClient } from "@gathering/client";
import { expect, test } from "@playwright/test";
import type postgres from "postgres";
import { type AppProcess, createDataDir, removeDataDir, startApp, stopApp, waitForExit, waitForReady } from "../support/app";
import { connectToEmbeddedDatabase } from "../support/database";
import { type EphemeralPublisherProcess, startEphemeralPublisherProcess } from "../support/ephemeral-publisher-process";
import { METRICS_TOKEN } from "../support/metrics";
import { findFreePorts } from "../support/ports";
import { apiTokenFor, SUITE_PG_PORT, suiteDatabaseUrl, suiteDataDir, suiteSecrets } from "../support/suite-app";
import { owner } from "./account";

type SubscriptionCallbacks = Parameters<ReturnType<typeof createGatheringClient>["events"]["subscribe"]["subscribe"]>[1];
/** What onData receives: `{ id, data }`, the id being what a reconnect sends back as lastEventId. */
type StreamedEvent = Parameters<NonNullable<SubscriptionCallbacks["onData"]>>[0];

const READY_TIMEOUT_MS = 120_000;

let second: AppProcess | undefined;
let secondDataDir: string | undefined;
let database: postgres.Sql | undefined;
let publisher: EphemeralPublisherProcess | undefined;

test.afterEach(async () => {
  const info = test.info();
  if (info.status === info.expectedStatus) return;
  if (second) await info.attach(`${second.name}.log`, { body: second.output(), contentType: "text/plain" });
  if (publisher) await info.attach("publisher.log", { body: publisher.output(), contentType: "text/plain" });
});

test.afterAll(async () => {
  test.setTimeout(60_000);
  if (second) await stopApp(second);
  if (secondDataDir) await removeDataDir(secondDataDir);
  await publisher?.stop();
  await database?.end({ timeout: 5 });
});

/** An SDK subscription to events.subscribe that keeps what it receives. */
function subscribeWith(url: string, token: string, input: { projectId: string; topics: string[]; lastEventId: string }) {
  const received: StreamedEvent[] = [];
  const errors: unknown[] = [];
  const subscription = createGatheringClient({ url, token }).events.subscribe.subscribe(input, {
    onData: (event) => received.push(event),
    onError: (error) => errors.push(error),
  });
  return { received, errors, stop: () => subscription.unsubscribe() };
}

test("an event published by a worker reaches a subscriber on each of two web instances", async ({ baseURL }) => {
  test.setTimeout(240_000);
  const mainUrl = new URL(baseURL ?? "").origin;
  const [port] = await findFreePorts(1);
  if (port === undefined) throw new Error("no free port");
  const { token, projectId } = await apiTokenFor(mainUrl, owner);
  const sql = connectToEmbeddedDatabase(suiteDataDir(), SUITE_PG_PORT);
  database = sql;

  const secondInstance = await test.step("a second web instance without a worker joins the same database", async () => {
    const secrets = suiteSecrets();
    secondDataDir = await createDataDir("gathering-e2e-events-");
    second = startApp("second web instance", {
      dataDir: secondDataDir,
      port,
      pgPort: SUITE_PG_PORT,
      args: ["--no-worker"],
      env: {
        DATABASE_URL: suiteDatabaseUrl(),
        NEXTAUTH_SECRET: secrets.nextAuthSecret,
        GATHERING_ENCRYPTION_KEYS: secrets.encryptionKeys,
        LOG_LEVEL: "warn",
      },
    });
    await waitForReady(second, READY_TIMEOUT_MS);
    return second;
  });

  // From the newest event now: each subscription replays from the table whatever it has not seen, so
  // an event published while a subscription is still being set up is not missed.
  const rows = await sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from events`;
  const lastEventId = rows[0]?.id ?? "0";
  const topics = ["system.pong", "agent.token"];
  const onMain = subscribeWith(mainUrl, token, { projectId, topics, lastEventId });
  const onSecond = subscribeWith(secondInstance.baseUrl, token, { projectId, topics, lastEventId });

  const pongsOf = (events: StreamedEvent[], pingId: string) =>
    events.filter((event) => event.data.topic === "system.pong" && (event.data.payload as { pingId?: string }).pingId === pingId);

  const { pingId } = await test.step("events.ping, asked of the instance without a worker, is answered by the worker", async () => {
    const ping = await createGatheringClient({ url: secondInstance.baseUrl, token }).events.ping.mutate({ projectId });
    await expect.poll(() => pongsOf(onMain.received, ping.pingId).length, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => pongsOf(onSecond.received, ping.pingId).length, { timeout: 20_000 }).toBe(1);
    return ping;
  });
  const pong = pongsOf(onMain.received, pingId)[0];
  expect(pong?.data.kind).toBe("durable");
  // Both instances delivered the same row, under the id a reconnect resumes from.
  expect(pongsOf(onSecond.received, pingId)[0]?.id).toBe(pong?.id);
  expect(pong?.id).toBe(String(pong?.data.id));

  await test.step("token deltas published by another process reach both instances, merged and in order", async () => {
    const tokenPublisher = startEphemeralPublisherProcess(suiteDatabaseUrl());
    publisher = tokenPublisher;
    const tokensOf = (events: StreamedEvent[], streamId: string) =>
      events.filter((event) => event.data.topic === "agent.token" && (event.data.payload as { streamId?: string }).streamId === streamId);
    // Ephemeral events are live only: first make sure both subscriptions are listening.
    let probe = 0;
    await expect
      .poll(
        async () => {
          await tokenPublisher.publish(projectId, [
            { topic: "agent.token", payload: { streamId: "probe", messageId: "probe", delta: ".", index: probe } },
          ]);
          probe += 1;
          return tokensOf(onMain.received, "probe").length > 0 && tokensOf(onSecond.received, "probe").length > 0;
        },
        { timeout: 20_000 },
      )
      .toBe(true);

    const deltas = ["The ", "answer ", "streams ", "in ", "one ", "window."];
    await tokenPublisher.publish(
      projectId,
      deltas.map((delta, index) => ({ topic: "agent.token", payload: { streamId: "answer", messageId: "m1", delta, index } })),
    );
    await tokenPublisher.stop();
    for (const events of [onMain.received, onSecond.received]) {
      await expect.poll(() => tokensOf(events, "answer").length, { timeout: 10_000 }).toBe(1);
      const [answer] = tokensOf(events, "answer");
      expect(answer?.data.kind).toBe("ephemeral");
      expect(answer?.data.payload).toEqual({ streamId: "answer", messageId: "m1", delta: deltas.join(""), index: 0, count: deltas.length });
      // Not resumable itself: it carries the durable resume point, the pong it followed.
      expect(answer?.id).toBe(pong?.id);
    }
  });

  onMain.stop();
  onSecond.stop();
  expect(onMain.errors).toEqual([]);
  expect(onSecond.errors).toEqual([]);

  await test.step("the second instance stops cleanly on SIGTERM", async () => {
    secondInstance.child.kill("SIGTERM");
    expect(await waitForExit(secondInstance, 30_000)).toEqual({ code: 0, signal: null });
  });
});

test("/api/metrics counts the event bus: ephemeral events received, repeats ignored, merged and dropped for slow subscribers", async ({
  request,
}) => {
  const response = await request.get("/api/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status()).toBe(200);
  const text = await response.text();
  for (const counter of [
    "gathering_event_bus_ephemeral_received_total",
    "gathering_event_bus_duplicates_total",
    "gathering_event_bus_coalesced_total",
    "gathering_event_bus_dropped_total",
  ]) {
    expect(text).toMatch(new RegExp(`^${counter} \\d+$`, "m"));
  }
});
