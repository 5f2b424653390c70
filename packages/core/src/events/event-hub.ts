/**
 * One per process: LISTENs once (one connection, two channels) and fans events out to any number of
 * subscribers in process.
 *
 * Durable events: the NOTIFY only says "something new"; the hub reads the rows after its cursor and
 * puts them in a shared ring buffer that subscribers read at their own pace, so a slow one delays
 * nobody; one that falls out of the buffer re-reads from the table, so durable events are never lost.
 * Events whose transaction commits after a later id was seen (ids are taken at insert, not at commit)
 * are picked up by watching the gaps until they fill or time out.
 *
 * Ephemeral events (ephemeral-publisher.ts): the NOTIFY payload is the batch itself. The hub drops any
 * event it already saw (by publisher and sequence) and appends the rest to each interested subscriber's
 * own bounded queue. A subscriber that stops reading fills its queue; then a new event is merged into
 * the latest queued one of its kind where the topic allows (token deltas, progress), else the oldest is
 * dropped. Both are counted per subscriber (`subscription.stats`) and for the hub (`hub.stats`). Pushing
 * never waits, so a stalled subscriber costs the others nothing.
 *
 *   const subscription = hub.subscribe({ projectIds, topics: ["settings.changed", "agent.token"], signal });
 *   for await (const event of subscription) {
 *     if (event.kind === "durable") ... // event.id: number, resumable with afterId
 *     else ...                          // event.id: string, never repeated; subscription.lastDurableId is where to resume
 *   }
 *
 * Topics omitted: every durable topic and no ephemeral one (token streams are asked for by name).
 */
import { type DatabaseClient, EVENTS_CHANNEL, type EventRow, latestEventId, listEventsAfter } from "@gathering/db";
import { coalescingRuleOf, EPHEMERAL_EVENTS_CHANNEL, type EphemeralTopic, isEphemeralTopic } from "./catalog";
import { decodeEphemeralBatch } from "./ephemeral-publisher";

export * from "./ephemeral-publisher";

export interface EventHubOptions {
  bufferSize?: number;
  /** How long a gap in event ids is waited for before it is taken for a rolled-back insert. */
  gapTimeoutMs?: number;
  /** A safety net under LISTEN: read the table at least this often. */
  pollIntervalMs?: number;
  /** Ephemeral events a subscriber may have waiting before they are merged or the oldest dropped. */
  subscriberBufferSize?: number;
}

export interface SubscribeOptions {
  projectIds: readonly string[];
  /** Durable and ephemeral topic names; omitted or empty: every durable topic, no ephemeral one. */
  topics?: readonly string[];
  /** Resume after this durable event id (the last one the subscriber saw); omitted: only new events. */
  afterId?: number;
  signal?: AbortSignal;
  /** This subscriber's ephemeral queue size (default: the hub's subscriberBufferSize). */
  bufferSize?: number;
}

export type DurableHubEvent = EventRow & { kind: "durable" };

export interface EphemeralHubEvent {
  kind: "ephemeral";
  /** `{publisherId}.{sequence}`: unique, never delivered twice to a subscriber; not resumable. */
  id: string;
  projectId: string;
  topic: EphemeralTopic;
  payload: unknown;
  createdAt: Date;
}

export type HubEvent = DurableHubEvent | EphemeralHubEvent;

export interface SubscriberStats {
  /** Ephemeral events put in this subscriber's queue. */
  ephemeralQueued: number;
  /** Ephemeral events merged into one already queued because the queue was full. */
  ephemeralCoalesced: number;
  /** Ephemeral events dropped (the oldest queued) because the queue was full. */
  ephemeralDropped: number;
}

export interface EventSubscription extends AsyncGenerator<HubEvent, void, undefined> {
  readonly stats: SubscriberStats;
  /**
   * The highest durable id yielded, or where the subscription started (afterId, else the newest id this
   * process had seen): a reconnect that passes it as afterId misses no durable event.
   */
  readonly lastDurableId: number;
}

interface Delivered {
  sequence: number;
  event: DurableHubEvent;
}

export interface EventHubStats {
  subscribers: number;
  /** Durable events read from the table and fanned out by this process. */
  delivered: number;
  /** Times a subscriber fell out of the buffer and re-read from the table instead. */
  tableFallbacks: number;
  /** NOTIFYs received on the ephemeral channel. */
  ephemeralNotifications: number;
  /** Ephemeral events received, duplicates excluded. */
  ephemeralReceived: number;
  /** Ephemeral events received again (a retried batch) and ignored. */
  ephemeralDuplicates: number;
  /** Ephemeral NOTIFY payloads that were not a publisher's batch, ignored. */
  ephemeralMalformed: number;
  /** Summed over subscribers: see SubscriberStats. */
  ephemeralCoalesced: number;
  ephemeralDropped: number;
}

/** A subscriber's ephemeral events waiting to be read: bounded, merging or dropping the oldest when full. */
class EphemeralQueue {
  private items: EphemeralHubEvent[] = [];
  private head = 0;

  constructor(
    private readonly capacity: number,
    private readonly stats: SubscriberStats,
    private readonly hubStats: EventHubStats,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(event: EphemeralHubEvent): void {
    this.stats.ephemeralQueued += 1;
    if (this.size >= this.capacity) {
      if (this.mergeIntoQueued(event)) {
        this.stats.ephemeralCoalesced += 1;
        this.hubStats.ephemeralCoalesced += 1;
        return;
      }
      this.head += 1;
      this.stats.ephemeralDropped += 1;
      this.hubStats.ephemeralDropped += 1;
    }
    this.items.push(event);
    if (this.head > 1_024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  shift(): EphemeralHubEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const event = this.items[this.head];
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return event;
  }

  /** Folds the event into the latest queued one of the same key, if the topic allows it. */
  private mergeIntoQueued(event: EphemeralHubEvent): boolean {
    const rule = coalescingRuleOf(event.topic);
    if (!rule) return false;
    const key = rule.key(event.payload);
    for (let index = this.items.length - 1; index >= this.head; index -= 1) {
      const queued = this.items[index];
      if (!queued || queued.topic !== event.topic || queued.projectId !== event.projectId || rule.key(queued.payload) !== key) continue;
      const merged = rule.merge(queued.payload, event.payload);
      if (merged === undefined) return false;
      this.items[index] = { ...queued, id: event.id, payload: merged };
      return true;
    }
    return false;
  }
}

interface EphemeralSubscriber {
  topics: ReadonlySet<string>;
  queue: EphemeralQueue;
  wake: (() => void) | undefined;
}

/** How many publishers' last sequence numbers are remembered for deduplication. */
const MAX_TRACKED_PUBLISHERS = 10_000;

export class EventHub {
  readonly stats: EventHubStats = {
    subscribers: 0,
    delivered: 0,
    tableFallbacks: 0,
    ephemeralNotifications: 0,
    ephemeralReceived: 0,
    ephemeralDuplicates: 0,
    ephemeralMalformed: 0,
    ephemeralCoalesced: 0,
    ephemeralDropped: 0,
  };
  private readonly buffer: Delivered[] = [];
  private sequence = 0;
  /** Every id at or below this is delivered, or was given up on as rolled back. */
  private cursor = 0;
  private highestDeliveredId = 0;
  private readonly deliveredAboveCursor = new Set<number>();
  private readonly gapsSince = new Map<number, number>();
  private readonly wakers = new Set<() => void>();
  private readonly ephemeralByProject = new Map<string, Set<EphemeralSubscriber>>();
  /** Per publisher, the highest sequence delivered; insertion order is recency, for eviction. */
  private readonly publisherMarks = new Map<string, number>();
  private starting: Promise<void> | undefined;
  private pulling: Promise<void> | undefined;
  private shouldPullAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private readonly bufferSize: number;
  private readonly gapTimeoutMs: number;
  private readonly subscriberBufferSize: number;

  constructor(
    private readonly database: DatabaseClient,
    private readonly options: EventHubOptions = {},
  ) {
    this.bufferSize = options.bufferSize ?? 10_000;
    this.gapTimeoutMs = options.gapTimeoutMs ?? 5_000;
    this.subscriberBufferSize = options.subscriberBufferSize ?? 1_000;
  }

  /** Starts listening (once); subscribe() calls it. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.cursor = await latestEventId(this.database.db);
      this.highestDeliveredId = this.cursor;
      // postgres.js runs every LISTEN of a client on one connection, re-LISTENing after a reconnect.
      const durable = await this.database.sql.listen(
        EVENTS_CHANNEL,
        () => this.pullInBackground(),
        () => this.pullInBackground(),
      );
      const ephemeral = await this.database.sql.listen(EPHEMERAL_EVENTS_CHANNEL, (payload) => this.receiveEphemeral(payload));
      this.unlisten = async () => {
        await durable.unlisten();
        await ephemeral.unlisten();
      };
      this.timer = setInterval(() => this.pullInBackground(), this.options.pollIntervalMs ?? 1_000);
      this.timer.unref();
    })();
    return this.starting;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.unlisten?.();
    for (const wake of this.wakers) wake();
    for (const subscribers of this.ephemeralByProject.values()) for (const subscriber of subscribers) subscriber.wake?.();
  }

  /** Reads what is new since the cursor; runs one at a time, and again if asked meanwhile. */
  pull(): Promise<void> {
    if (this.pulling) {
      this.shouldPullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      do {
        this.shouldPullAgain = false;
        await this.readNewEvents();
      } while (this.shouldPullAgain);
    })().finally(() => {
      this.pulling = undefined;
    });
    return this.pulling;
  }

  /**
   * A pull nobody waits for (a NOTIFY, the poll): if it fails (the database restarting, the process
   * shutting down) the next one reads the same rows, since the cursor only moves on success.
   */
  private pullInBackground(): void {
    this.pull().catch(() => {});
  }

  private async readNewEvents(): Promise<void> {
    for (;;) {
      const rows = await listEventsAfter(this.database.db, { afterId: this.cursor, limit: 1_000 });
      const fresh = rows.filter((row) => !this.deliveredAboveCursor.has(row.id));
      for (const row of fresh) this.deliver(row);
      this.advanceCursor(rows.at(-1)?.id ?? this.cursor);
      if (rows.length < 1_000) break;
    }
    if (this.buffer.length > 0) for (const wake of this.wakers) wake();
  }

  private deliver(row: EventRow): void {
    this.stats.delivered += 1;
    this.sequence += 1;
    this.buffer.push({ sequence: this.sequence, event: { ...row, kind: "durable" } });
    if (this.buffer.length > this.bufferSize) this.buffer.splice(0, this.buffer.length - this.bufferSize);
    this.deliveredAboveCursor.add(row.id);
    this.gapsSince.delete(row.id);
    if (row.id > this.highestDeliveredId) this.highestDeliveredId = row.id;
  }

  private advanceCursor(highestRead: number): void {
    const now = Date.now();
    for (let id = this.cursor + 1; id <= highestRead; id += 1) {
      if (!this.deliveredAboveCursor.has(id) && !this.gapsSince.has(id)) this.gapsSince.set(id, now);
    }
    let next = this.cursor;
    while (next < highestRead) {
      const candidate = next + 1;
      const gapSince = this.gapsSince.get(candidate);
      if (gapSince !== undefined && now - gapSince < this.gapTimeoutMs) break;
      this.gapsSince.delete(candidate);
      this.deliveredAboveCursor.delete(candidate);
      next = candidate;
    }
    this.cursor = next;
  }

  /** One NOTIFY on the ephemeral channel: a publisher's batch, fanned out to the subscribers' queues. */
  private receiveEphemeral(raw: string): void {
    this.stats.ephemeralNotifications += 1;
    const batch = decodeEphemeralBatch(raw);
    if (!batch) {
      this.stats.ephemeralMalformed += 1;
      return;
    }
    // A publisher sends its batches one at a time, so they arrive in order: anything at or below the
    // highest sequence seen is a repeat.
    let mark = this.publisherMarks.get(batch.publisherId) ?? 0;
    for (const event of batch.events) {
      if (event.sequence <= mark) {
        this.stats.ephemeralDuplicates += 1;
        continue;
      }
      mark = event.sequence;
      this.stats.ephemeralReceived += 1;
      const subscribers = this.ephemeralByProject.get(event.projectId);
      if (!subscribers) continue;
      const delivered: EphemeralHubEvent = {
        kind: "ephemeral",
        id: `${batch.publisherId}.${event.sequence}`,
        projectId: event.projectId,
        topic: event.topic,
        payload: event.payload,
        createdAt: event.createdAt,
      };
      for (const subscriber of subscribers) {
        if (!subscriber.topics.has(event.topic)) continue;
        subscriber.queue.push(delivered);
        subscriber.wake?.();
      }
    }
    this.publisherMarks.delete(batch.publisherId);
    this.publisherMarks.set(batch.publisherId, mark);
    if (this.publisherMarks.size > MAX_TRACKED_PUBLISHERS) {
      const oldest = this.publisherMarks.keys().next().value;
      if (oldest !== undefined) this.publisherMarks.delete(oldest);
    }
  }

  /** Events for the given projects (and topics), from `afterId` on or from now, until the signal aborts. */
  subscribe(options: SubscribeOptions): EventSubscription {
    const stats: SubscriberStats = { ephemeralQueued: 0, ephemeralCoalesced: 0, ephemeralDropped: 0 };
    const position = { lastDurableId: options.afterId ?? 0 };
    const generator = this.run(options, stats, position);
    return Object.defineProperties(generator, {
      stats: { value: stats, enumerable: true },
      lastDurableId: { get: () => position.lastDurableId, enumerable: true },
    }) as EventSubscription;
  }

  private async *run(options: SubscribeOptions, stats: SubscriberStats, position: { lastDurableId: number }): AsyncGenerator<HubEvent> {
    await this.start();
    this.stats.subscribers += 1;
    const ephemeralTopics = new Set((options.topics ?? []).filter(isEphemeralTopic));
    const ephemeral: EphemeralSubscriber | undefined =
      ephemeralTopics.size > 0
        ? {
            topics: ephemeralTopics,
            queue: new EphemeralQueue(options.bufferSize ?? this.subscriberBufferSize, stats, this.stats),
            wake: undefined,
          }
        : undefined;
    if (ephemeral) {
      for (const projectId of options.projectIds) {
        const subscribers = this.ephemeralByProject.get(projectId) ?? new Set();
        subscribers.add(ephemeral);
        this.ephemeralByProject.set(projectId, subscribers);
      }
    }
    try {
      yield* this.stream(options, position, ephemeral);
    } finally {
      if (ephemeral) {
        for (const projectId of options.projectIds) {
          const subscribers = this.ephemeralByProject.get(projectId);
          subscribers?.delete(ephemeral);
          if (subscribers?.size === 0) this.ephemeralByProject.delete(projectId);
        }
      }
      this.stats.subscribers -= 1;
    }
  }

  private async *stream(
    options: SubscribeOptions,
    position: { lastDurableId: number },
    ephemeral: EphemeralSubscriber | undefined,
  ): AsyncGenerator<HubEvent> {
    const projects = new Set(options.projectIds);
    const requested = options.topics && options.topics.length > 0 ? options.topics : undefined;
    const durableTopics = requested ? new Set(requested.filter((topic) => !isEphemeralTopic(topic))) : undefined;
    // A subscriber to token streams only has no business with the table or the durable buffer.
    const wantsDurable = !durableTopics || durableTopics.size > 0;
    // On resume the client has seen everything up to afterId; the live stream may still carry such events.
    const floor = options.afterId ?? 0;
    const isWanted = (event: EventRow) =>
      event.id > floor && projects.has(event.projectId) && (!durableTopics || durableTopics.has(event.topic));
    const sent = new Set<number>();
    const remember = (id: number) => {
      sent.add(id);
      if (id > position.lastDurableId) position.lastDurableId = id;
      // Only recent ids can come round again; keep the set bounded on long subscriptions.
      if (sent.size > 20_000) sent.delete(sent.values().next().value ?? id);
    };
    // Where in the live stream this subscriber starts: taken before the catch-up read, so nothing falls between.
    let cursor = this.sequence;
    if (options.afterId === undefined) position.lastDurableId = this.highestDeliveredId;

    if (wantsDurable && options.afterId !== undefined) {
      let afterId = options.afterId;
      for (;;) {
        const rows = await listEventsAfter(this.database.db, { afterId, projectIds: [...projects], limit: 500 });
        for (const row of rows) {
          if (isWanted(row)) {
            remember(row.id);
            yield { ...row, kind: "durable" };
          }
        }
        if (rows.length < 500) break;
        afterId = rows.at(-1)?.id ?? afterId;
      }
    }

    // One abort listener for the whole subscription, not one per wait: subscribers may share a signal,
    // and every add and remove of an AbortSignal's listener walks the list of them.
    let wakeOnAbort: (() => void) | undefined;
    const onAbort = () => wakeOnAbort?.();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (!options.signal?.aborted) {
        let hasYielded = false;
        if (wantsDurable) {
          const oldest = this.buffer[0];
          if (oldest && cursor < oldest.sequence - 1) {
            // Fell out of the buffer: read what was missed from the table instead, all of it, then rejoin
            // the live stream where it was when the reading began (what the table gave is skipped there).
            this.stats.tableFallbacks += 1;
            const liveFrom = this.sequence;
            let afterId = position.lastDurableId;
            for (;;) {
              const rows = await listEventsAfter(this.database.db, { afterId, projectIds: [...projects], limit: 1_000 });
              for (const row of rows) {
                if (isWanted(row) && !sent.has(row.id)) {
                  remember(row.id);
                  yield { ...row, kind: "durable" };
                }
              }
              if (rows.length < 1_000) break;
              afterId = rows.at(-1)?.id ?? afterId;
            }
            cursor = liveFrom;
            continue;
          }
          const start = oldest ? Math.max(0, cursor - oldest.sequence + 1) : 0;
          const pending = this.buffer.slice(start);
          if (pending.length > 0) {
            cursor = pending.at(-1)?.sequence ?? cursor;
            for (const { event } of pending) {
              if (isWanted(event) && !sent.has(event.id)) {
                remember(event.id);
                hasYielded = true;
                yield event;
              }
            }
          }
        } else {
          cursor = this.sequence;
        }
        if (ephemeral) {
          // Only what is queued now: a busy token stream must not starve the durable events.
          for (let remaining = ephemeral.queue.size; remaining > 0; remaining -= 1) {
            const event = ephemeral.queue.shift();
            if (!event) break;
            hasYielded = true;
            yield event;
          }
        }
        // After a yield the consumer may have taken its time: look again before sleeping.
        if (hasYielded) continue;
        await new Promise<void>((resolve) => {
          const wake = () => {
            this.wakers.delete(wake);
            if (ephemeral) ephemeral.wake = undefined;
            wakeOnAbort = undefined;
            resolve();
          };
          if (wantsDurable) this.wakers.add(wake);
          if (ephemeral) ephemeral.wake = wake;
          wakeOnAbort = wake;
        });
      }
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }
}
