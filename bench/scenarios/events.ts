/**
 * The event bus: how many events per second go from a publisher to subscribers, and how long each takes,
 * beside a raw NOTIFY/LISTEN round trip on the same database (the baseline).
 *
 * - Over SSE: 100 `events.subscribe` streams on the app (real HTTP, tRPC, superjson), fed by a publisher
 *   in this process acting as a worker, once with durable events (one transaction each: row + NOTIFY,
 *   read by the app's hub) and once with ephemeral ones (NOTIFY only, batched by the publisher's window).
 *   Closed loop: up to 10 events in flight (1,000 deliveries over SSE), published by 4 concurrent
 *   publishers, so the throughput is what the path sustains and the latency is that at saturation.
 * - The target: p99 under 50 ms from publish to delivery with 1,000 subscribers receiving 50 events/s.
 *   Measured with 1,000 in-process subscribers of an EventHub in this process (its own LISTEN
 *   connection to the app's database), not 1,000 SSE connections: on two cores those would measure the
 *   harness parsing 50,000 SSE messages a second more than the bus. Open loop: one event every 20 ms.
 * - "No more than one NOTIFY per committed transaction": counted on a LISTEN connection of its own, for
 *   transactions of one event and of five.
 *
 * In the table, "Requests/s" is deliveries per second (events × subscribers that got them), the latency
 * is from the publish call to a subscriber having the event, and "Errors" counts deliveries that never
 * came. Publish and receipt are timed in this one process, on one clock.
 */
import { setMaxListeners } from "node:events";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { createEphemeralPublisher, EventHub, publishEvent } from "@gathering/core";
import { createDatabaseClient, type DatabaseClient, EVENTS_CHANNEL } from "@gathering/db";
import { cpuBetween, sampleCpu } from "../support/cpu";
import type { LoadResult } from "../support/load";
import { summarizeLatencies } from "../support/percentiles";
import type { CaseResult, Scenario, ScenarioContext } from "../support/types";

const SSE_SUBSCRIBERS = 100;
const HUB_SUBSCRIBERS = 1_000;
const TARGET_RATE_PER_SECOND = 50;
/** Events published but not yet delivered to every subscriber; more only queues (latency = in flight / throughput). */
const IN_FLIGHT = 10;
const PUBLISHERS = 4;
const rateLimitEnv = {
  GATHERING_RATE_LIMIT_PER_MINUTE: "1000000000",
  GATHERING_RATE_LIMIT_AUTHENTICATED_PER_MINUTE: "1000000000",
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function trpc<T>(url: string, procedure: string, init: { input?: unknown; cookie?: string; isMutation?: boolean }): Promise<T> {
  const response = await fetch(`${url}/api/trpc/${procedure}`, {
    method: init.isMutation ? "POST" : "GET",
    headers: {
      ...(init.isMutation ? { "content-type": "application/json", origin: url } : {}),
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
    body: init.isMutation ? JSON.stringify({ json: init.input }) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${procedure} answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
}

/** The installation's first account, signed in, and an API token for its project. */
async function credentialsFor(url: string): Promise<{ token: string; projectId: string }> {
  const account = { email: "bench-events@example.com", name: "Bench", password: "correct horse battery staple" };
  await trpc(url, "auth.signUp", { input: account, isMutation: true });
  const csrfResponse = await fetch(`${url}/api/auth/csrf`);
  const csrfCookie = csrfResponse.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const signIn = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email: account.email, password: account.password, json: "true" }),
  });
  const session = signIn.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0] ?? "")
    .find((cookie) => cookie.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in set no session cookie (${signIn.status})`);
  const me = await trpc<{ projects: Array<{ id: string }> }>(url, "auth.me", { cookie: session });
  const projectId = me.projects[0]?.id;
  if (!projectId) throw new Error("the bench account has no project");
  const { token } = await trpc<{ token: string }>(url, "tokens.create", {
    input: { projectId, name: "bench-events", role: "admin" },
    cookie: session,
    isMutation: true,
  });
  return { token, projectId };
}

/**
 * One `events.subscribe` stream read the way an EventSource would: resolves once the server said
 * "connected", then calls `onKey` with each event's key (pingId or taskId) until the signal aborts.
 */
async function openSseSubscriber(
  url: string,
  token: string,
  input: { projectId: string; topics: string[] },
  onKey: (key: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const query = encodeURIComponent(JSON.stringify({ json: input }));
  const response = await fetch(`${url}/api/trpc/events.subscribe?input=${query}`, {
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`events.subscribe answered ${response.status}: ${await response.text()}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let isConnected: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    isConnected = resolve;
  });
  void (async () => {
    let pending = "";
    let eventName = "";
    let data = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
        let newline = pending.indexOf("\n");
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          newline = pending.indexOf("\n");
          if (line === "") {
            if (eventName === "connected") isConnected();
            else if (eventName === "" && data !== "") {
              const message = JSON.parse(data) as { json: { payload: { pingId?: string; taskId?: string } } };
              onKey(message.json.payload.pingId ?? message.json.payload.taskId ?? "");
            }
            eventName = "";
            data = "";
          } else if (line.startsWith("event:")) eventName = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trimStart();
        }
      }
    } catch {
      // Aborted at the end of the case.
    }
  })();
  await connected;
}

/** Publish times and outstanding deliveries of the events in flight; latencies of those published in the measured window. */
class DeliveryTracker {
  private readonly pending = new Map<string, { publishedAt: number; remaining: number }>();
  private waiters: Array<() => void> = [];
  readonly latencies: number[] = [];
  windowStart = Number.POSITIVE_INFINITY;
  windowEnd = Number.POSITIVE_INFINITY;
  deliveriesInWindow = 0;
  completedInWindow = 0;

  constructor(private readonly subscribers: number) {}

  get inFlight(): number {
    return this.pending.size;
  }

  published(key: string, publishedAt: number): void {
    this.pending.set(key, { publishedAt, remaining: this.subscribers });
  }

  delivered(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    const now = performance.now();
    const isMeasured = entry.publishedAt >= this.windowStart && entry.publishedAt < this.windowEnd;
    if (isMeasured) this.latencies.push(now - entry.publishedAt);
    if (now >= this.windowStart && now < this.windowEnd) this.deliveriesInWindow += 1;
    entry.remaining -= 1;
    if (entry.remaining > 0) return;
    this.pending.delete(key);
    if (now >= this.windowStart && now < this.windowEnd) this.completedInWindow += 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when an event completes, or after a short while (a lost delivery must not stall the loop). */
  slot(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      setTimeout(resolve, 100);
    });
  }

  /** Deliveries still missing among the events published in the measured window. */
  missing(): number {
    let count = 0;
    for (const entry of this.pending.values()) {
      if (entry.publishedAt >= this.windowStart && entry.publishedAt < this.windowEnd) count += entry.remaining;
    }
    return count;
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.pending.size > 0 && performance.now() < deadline) await sleep(20);
  }
}

interface Measured {
  tracker: DeliveryTracker;
  seconds: number;
  publishErrors: number;
  cpu: ReturnType<typeof cpuBetween>;
  loadAverage: { before: number[]; after: number[] };
  window: { startMicros: number; endMicros: number };
}

/** Runs `drive` over warm-up plus measured seconds, with the tracker's window set to the measured part. */
async function measure(
  context: ScenarioContext,
  tracker: DeliveryTracker,
  cpuOf: { serverPid?: number; databaseTreeRootPid?: number },
  drive: (until: number) => Promise<number>,
): Promise<Measured> {
  const { warmupSeconds, durationSeconds } = context.settings;
  const startedAt = performance.now();
  tracker.windowStart = startedAt + warmupSeconds * 1_000;
  tracker.windowEnd = tracker.windowStart + durationSeconds * 1_000;
  const driving = drive(tracker.windowEnd);
  await sleep(tracker.windowStart - performance.now());
  const loadBefore = loadavg();
  const cpuBefore = sampleCpu(cpuOf);
  const startMicros = Number(process.hrtime.bigint() / 1000n);
  const publishErrors = await driving;
  await sleep(tracker.windowEnd - performance.now());
  const cpuAfter = sampleCpu(cpuOf);
  const endMicros = Number(process.hrtime.bigint() / 1000n);
  const loadAfter = loadavg();
  await tracker.drain(5_000);
  return {
    tracker,
    seconds: durationSeconds,
    publishErrors,
    cpu: cpuBetween(cpuBefore, cpuAfter),
    loadAverage: { before: loadBefore.map((value) => round(value, 2)), after: loadAfter.map((value) => round(value, 2)) },
    window: { startMicros, endMicros },
  };
}

/** Closed loop: `publishers` concurrent publishers keep up to IN_FLIGHT events outstanding. */
function closedLoop(tracker: DeliveryTracker, publish: (key: string) => Promise<void> | void): (until: number) => Promise<number> {
  return async (until) => {
    let next = 0;
    let errors = 0;
    const publisher = async () => {
      while (performance.now() < until) {
        if (tracker.inFlight >= IN_FLIGHT) {
          await tracker.slot();
          continue;
        }
        const key = `b${next}`;
        next += 1;
        tracker.published(key, performance.now());
        try {
          await publish(key);
        } catch {
          errors += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
    return errors;
  };
}

/** Open loop: one event every 1000/rate ms on a fixed schedule, whatever the deliveries do. */
function openLoop(tracker: DeliveryTracker, ratePerSecond: number, publish: (key: string) => Promise<void> | void) {
  return async (until: number) => {
    const interval = 1_000 / ratePerSecond;
    const startedAt = performance.now();
    let errors = 0;
    const sends: Array<Promise<void>> = [];
    for (let index = 0; ; index += 1) {
      const due = startedAt + index * interval;
      if (due >= until) break;
      await sleep(due - performance.now());
      const key = `b${index}`;
      tracker.published(key, performance.now());
      sends.push(
        Promise.resolve()
          .then(() => publish(key))
          .catch(() => {
            errors += 1;
          }),
      );
    }
    await Promise.all(sends);
    return errors;
  };
}

/** Publishes probes until every subscriber has received one: only then is nobody still connecting. */
async function waitUntilEveryoneListens(
  subscribers: number,
  received: Map<string, number>,
  publishProbe: (key: string) => Promise<void> | void,
): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (let probe = 0; performance.now() < deadline; probe += 1) {
    const key = `probe-${probe}`;
    await publishProbe(key);
    await sleep(200);
    if ((received.get(key) ?? 0) >= subscribers) return;
  }
  throw new Error(`not every one of ${subscribers} subscribers received a probe within 60 s`);
}

function toLoad(
  url: string,
  subscribers: number,
  measured: Measured,
  settings: ScenarioContext["settings"],
  serverPid?: number,
): LoadResult {
  const { tracker, seconds, cpu } = measured;
  const deliveries = tracker.deliveriesInWindow;
  const perDelivery = (ms: number | null) => (ms === null || deliveries === 0 ? null : Math.round((ms / deliveries) * 10_000) / 10_000);
  const latencyMs = summarizeLatencies(tracker.latencies);
  return {
    url,
    connections: subscribers,
    pipelining: 1,
    warmupSeconds: settings.warmupSeconds,
    durationSeconds: seconds,
    requests: deliveries,
    requestsPerSecond: round(deliveries / seconds),
    latencyMs,
    autocannon: { requestsPerSecondMean: 0, latencyP50Ms: 0, latencyP99Ms: 0 },
    errors: tracker.missing() + measured.publishErrors,
    timeouts: 0,
    non2xx: 0,
    statusCodes: {},
    bytesPerSecond: 0,
    cpuMs: cpu,
    cpuMsPerRequest: { server: perDelivery(cpu.serverMs), database: perDelivery(cpu.databaseMs), harness: perDelivery(cpu.harnessMs) ?? 0 },
    loadAverage: measured.loadAverage,
    serverPid,
    window: measured.window,
  };
}

const eventsPerSecond = (item: CaseResult) => round(item.load.requestsPerSecond / item.load.connections);

const events: Scenario = {
  id: "events",
  title: "Event bus: publish to delivery, durable and ephemeral, over SSE and in process",
  async run(context) {
    const app = await context.startApp({ env: rateLimitEnv });
    const { token, projectId } = await credentialsFor(app.url);
    const open = (max: number, name: string): DatabaseClient => {
      const client = createDatabaseClient(app.databaseUrl(), { max, applicationName: name });
      context.defer(() => client.close());
      return client;
    };
    const publisherDb = open(PUBLISHERS + 1, "bench-publisher");
    const publishDurable = (key: string) =>
      publisherDb.db
        .transaction((tx) => {
          const at = new Date().toISOString();
          return publishEvent(tx, projectId, "system.pong", { pingId: key, requestedAt: at, answeredAt: at });
        })
        .then(() => undefined);
    const appCpu = { serverPid: app.pid, databaseTreeRootPid: app.pid };
    const harnessCpu = { serverPid: process.pid, databaseTreeRootPid: app.pid };
    const cases: CaseResult[] = [];
    const notes: string[] = [];

    // The baseline: one LISTEN connection, NOTIFYs sent by the same closed loop; no table, no fan-out.
    {
      context.log("measuring the raw NOTIFY/LISTEN round trip…");
      const listener = open(1, "bench-raw-listen");
      const tracker = new DeliveryTracker(1);
      const received = new Map<string, number>();
      const listening = await listener.sql.listen("bench_raw", (key) => {
        received.set(key, (received.get(key) ?? 0) + 1);
        tracker.delivered(key);
      });
      const notify = (key: string) => publisherDb.sql`select pg_notify('bench_raw', ${key})`.then(() => undefined);
      await waitUntilEveryoneListens(1, received, notify);
      const measured = await measure(context, tracker, { databaseTreeRootPid: app.pid }, closedLoop(tracker, notify));
      await listening.unlisten();
      cases.push({
        id: "raw-notify",
        label: "raw NOTIFY → LISTEN, 1 listener",
        role: "baseline",
        description: `\`select pg_notify(…)\` from ${PUBLISHERS} publishers, up to ${IN_FLIGHT} in flight, to one postgres.js LISTEN connection on the app's database: the floor under every event.`,
        load: toLoad("postgres LISTEN bench_raw", 1, measured, context.settings),
      });
    }

    // 100 SSE subscribers on the app, for durable and for ephemeral events.
    const sseCase = async (kind: "durable" | "ephemeral") => {
      context.log(`measuring ${kind} events to ${SSE_SUBSCRIBERS} SSE subscribers…`);
      const tracker = new DeliveryTracker(SSE_SUBSCRIBERS);
      const received = new Map<string, number>();
      const controller = new AbortController();
      context.defer(() => controller.abort());
      const topics = [kind === "durable" ? "system.pong" : "task.progress"];
      const onKey = (key: string) => {
        received.set(key, (received.get(key) ?? 0) + 1);
        tracker.delivered(key);
      };
      for (let index = 0; index < SSE_SUBSCRIBERS; index += 10) {
        await Promise.all(
          Array.from({ length: Math.min(10, SSE_SUBSCRIBERS - index) }, () =>
            openSseSubscriber(app.url, token, { projectId, topics }, onKey, controller.signal),
          ),
        );
      }
      const publisher = createEphemeralPublisher(publisherDb.db);
      const publish =
        kind === "durable"
          ? publishDurable
          : (key: string) => publisher.publish(projectId, "task.progress", { taskId: key, progress: 0.5 });
      // Every committed transaction should announce itself exactly once.
      const notifications = { count: 0 };
      const counting = await open(1, "bench-notify-count").sql.listen(EVENTS_CHANNEL, () => {
        notifications.count += 1;
      });
      await waitUntilEveryoneListens(SSE_SUBSCRIBERS, received, publish);
      const notificationsBefore = notifications.count;
      const statsBefore = { ...publisher.stats };
      let transactions = 0;
      const measured = await measure(
        context,
        tracker,
        appCpu,
        closedLoop(tracker, (key) => {
          transactions += 1;
          return publish(key);
        }),
      );
      await publisher.close();
      await counting.unlisten();
      controller.abort();
      const item: CaseResult = {
        id: `sse-${kind}`,
        label: `${kind} events → ${SSE_SUBSCRIBERS} SSE subscribers`,
        role: "subject",
        description:
          kind === "durable"
            ? `\`publishEvent\` in a transaction of its own (row + NOTIFY) from ${PUBLISHERS} publishers in this process, up to ${IN_FLIGHT} in flight; the app's hub reads each row once and ${SSE_SUBSCRIBERS} \`events.subscribe\` streams (tRPC over SSE, API token) carry it.`
            : `\`createEphemeralPublisher\` (25 ms window, NOTIFY only, \`task.progress\` of distinct tasks so nothing merges), up to ${IN_FLIGHT} in flight, to the same ${SSE_SUBSCRIBERS} streams.`,
        load: toLoad(`${app.url}/api/trpc/events.subscribe`, SSE_SUBSCRIBERS, measured, context.settings, app.pid),
      };
      cases.push(item);
      if (kind === "durable") {
        const counted = notifications.count - notificationsBefore;
        notes.push(
          `Durable over SSE: ${eventsPerSecond(item)} events/s fully delivered to all ${SSE_SUBSCRIBERS} subscribers; ${transactions} transactions published during the warm-up and measured seconds, ${counted} NOTIFYs seen on ${EVENTS_CHANNEL} (${counted <= transactions ? "never more than one per transaction" : "MORE than one per transaction"}).`,
        );
      } else {
        const sent = publisher.stats.sentEvents - statsBefore.sentEvents;
        const notifies = publisher.stats.notifications - statsBefore.notifications;
        notes.push(
          `Ephemeral over SSE: ${eventsPerSecond(item)} events/s fully delivered to all ${SSE_SUBSCRIBERS} subscribers; the publisher sent ${sent} events in ${notifies} NOTIFYs (${round(sent / Math.max(1, notifies))} events per NOTIFY, one statement per 25 ms window).`,
        );
      }
    };
    await sseCase("durable");
    await sseCase("ephemeral");

    // The target: 1,000 subscribers, 50 events/s, p99 under 50 ms; in-process hub subscribers.
    const hubCase = async (kind: "durable" | "ephemeral") => {
      context.log(`measuring ${kind} events at ${TARGET_RATE_PER_SECOND}/s to ${HUB_SUBSCRIBERS} in-process hub subscribers…`);
      const client = open(4, `bench-hub-${kind}`);
      const hub = new EventHub(client);
      await hub.start();
      const tracker = new DeliveryTracker(HUB_SUBSCRIBERS);
      const received = new Map<string, number>();
      const controller = new AbortController();
      // Every subscriber listens on this one signal (one listener each).
      setMaxListeners(HUB_SUBSCRIBERS + 10, controller.signal);
      const topics = [kind === "durable" ? "system.pong" : "task.progress"];
      const readers = Array.from({ length: HUB_SUBSCRIBERS }, async () => {
        for await (const event of hub.subscribe({ projectIds: [projectId], topics, signal: controller.signal })) {
          const payload = event.payload as { pingId?: string; taskId?: string };
          const key = payload.pingId ?? payload.taskId ?? "";
          received.set(key, (received.get(key) ?? 0) + 1);
          tracker.delivered(key);
        }
      });
      const publisher = createEphemeralPublisher(publisherDb.db);
      const publish =
        kind === "durable"
          ? publishDurable
          : (key: string) => publisher.publish(projectId, "task.progress", { taskId: key, progress: 0.5 });
      await waitUntilEveryoneListens(HUB_SUBSCRIBERS, received, publish);
      const measured = await measure(context, tracker, harnessCpu, openLoop(tracker, TARGET_RATE_PER_SECOND, publish));
      await publisher.close();
      controller.abort();
      await hub.close();
      await Promise.all(readers);
      const item: CaseResult = {
        id: `hub-${kind}-1000`,
        label: `${kind}, ${HUB_SUBSCRIBERS} in-process subscribers, ${TARGET_RATE_PER_SECOND} events/s`,
        role: "subject",
        description: `${
          kind === "durable" ? "`publishEvent` transactions" : "ephemeral `task.progress` events (25 ms window)"
        } at a steady ${TARGET_RATE_PER_SECOND}/s to ${HUB_SUBSCRIBERS} subscribers of an EventHub in the harness process (one LISTEN connection to the app's database), not SSE connections. CPU is the harness process's.`,
        target: { maxP99Ms: 50 },
        load: toLoad(`EventHub in process, ${HUB_SUBSCRIBERS} subscribers`, HUB_SUBSCRIBERS, measured, context.settings, process.pid),
      };
      cases.push(item);
    };
    await hubCase("durable");
    await hubCase("ephemeral");

    // One NOTIFY per committed transaction, counted, whatever the transaction holds.
    {
      context.log("counting NOTIFYs per transaction…");
      const counter = open(1, "bench-notify-count-2");
      let count = 0;
      const counting = await counter.sql.listen(EVENTS_CHANNEL, () => {
        count += 1;
      });
      const transactions = 200;
      for (let index = 0; index < transactions; index += 1) {
        await publisherDb.db.transaction(async (tx) => {
          const at = new Date().toISOString();
          const eventsInTransaction = index % 2 === 0 ? 1 : 5;
          for (let event = 0; event < eventsInTransaction; event += 1) {
            await publishEvent(tx, projectId, "system.pong", { pingId: `count-${index}-${event}`, requestedAt: at, answeredAt: at });
          }
        });
      }
      await sleep(500);
      await counting.unlisten();
      notes.push(
        `NOTIFYs per committed transaction: ${transactions} transactions (half with 1 event, half with 5; ${transactions * 3} events) produced ${count} NOTIFYs on ${EVENTS_CHANNEL}: ${
          count <= transactions ? "no more than one per transaction" : "MORE than one per transaction"
        }.`,
      );
    }

    const baseline = cases.find((item) => item.role === "baseline");
    notes.unshift(
      "Requests/s here is deliveries per second (events × subscribers that received them); connections are subscribers; latency runs from the publish call to the subscriber holding the event, both timed in the harness process. The publisher plays a worker: a process with its own connection to the app's database.",
      `Raw NOTIFY/LISTEN baseline: ${baseline ? eventsPerSecond(baseline) : "n/a"} round trips/s, p50 ${baseline?.load.latencyMs.p50 ?? "n/a"} ms, p99 ${baseline?.load.latencyMs.p99 ?? "n/a"} ms at ${IN_FLIGHT} in flight.`,
      "The target case uses in-process hub subscribers: 1,000 SSE connections on this 2-core machine would mostly measure the harness parsing SSE.",
    );
    return { cases, notes };
  },
};

export default events;
