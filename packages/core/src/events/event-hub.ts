/**
 * One per process: LISTENs once for new events, reads them from the table, and fans them out to any
 * number of subscribers in process. Subscribers read from a shared ring buffer at their own pace, so a
 * slow one delays nobody; one that falls out of the buffer re-reads from the table, so durable events
 * are never lost. Events whose transaction commits after a later id was seen (ids are taken at insert,
 * not at commit) are picked up by watching the gaps until they fill or time out.
 */
import { type DatabaseClient, EVENTS_CHANNEL, type EventRow, latestEventId, listEventsAfter } from "@gathering/db";

export interface EventHubOptions {
  bufferSize?: number;
  /** How long a gap in event ids is waited for before it is taken for a rolled-back insert. */
  gapTimeoutMs?: number;
  /** A safety net under LISTEN: read the table at least this often. */
  pollIntervalMs?: number;
}

export interface SubscribeOptions {
  projectIds: readonly string[];
  topics?: readonly string[];
  /** Resume after this event id (the last one the subscriber saw); omitted: only new events. */
  afterId?: number;
  signal?: AbortSignal;
}

interface Delivered {
  sequence: number;
  event: EventRow;
}

export interface EventHubStats {
  subscribers: number;
  /** Events read from the table and fanned out by this process. */
  delivered: number;
  /** Times a subscriber fell out of the buffer and re-read from the table instead. */
  tableFallbacks: number;
}

export class EventHub {
  readonly stats: EventHubStats = { subscribers: 0, delivered: 0, tableFallbacks: 0 };
  private readonly buffer: Delivered[] = [];
  private sequence = 0;
  /** Every id at or below this is delivered, or was given up on as rolled back. */
  private cursor = 0;
  private readonly deliveredAboveCursor = new Set<number>();
  private readonly gapsSince = new Map<number, number>();
  private readonly wakers = new Set<() => void>();
  private starting: Promise<void> | undefined;
  private pulling: Promise<void> | undefined;
  private shouldPullAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private readonly bufferSize: number;
  private readonly gapTimeoutMs: number;

  constructor(
    private readonly database: DatabaseClient,
    private readonly options: EventHubOptions = {},
  ) {
    this.bufferSize = options.bufferSize ?? 10_000;
    this.gapTimeoutMs = options.gapTimeoutMs ?? 5_000;
  }

  /** Starts listening (once); subscribe() calls it. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.cursor = await latestEventId(this.database.db);
      const subscription = await this.database.sql.listen(
        EVENTS_CHANNEL,
        () => void this.pull(),
        () => void this.pull(),
      );
      this.unlisten = () => subscription.unlisten();
      this.timer = setInterval(() => void this.pull(), this.options.pollIntervalMs ?? 1_000);
      this.timer.unref();
    })();
    return this.starting;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.unlisten?.();
    for (const wake of this.wakers) wake();
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

  private deliver(event: EventRow): void {
    this.stats.delivered += 1;
    this.sequence += 1;
    this.buffer.push({ sequence: this.sequence, event });
    if (this.buffer.length > this.bufferSize) this.buffer.splice(0, this.buffer.length - this.bufferSize);
    this.deliveredAboveCursor.add(event.id);
    this.gapsSince.delete(event.id);
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

  /** Events for the given projects (and topics), from `afterId` on or from now, until the signal aborts. */
  async *subscribe(options: SubscribeOptions): AsyncGenerator<EventRow> {
    await this.start();
    this.stats.subscribers += 1;
    try {
      yield* this.stream(options);
    } finally {
      this.stats.subscribers -= 1;
    }
  }

  private async *stream(options: SubscribeOptions): AsyncGenerator<EventRow> {
    const projects = new Set(options.projectIds);
    const topics = options.topics && options.topics.length > 0 ? new Set(options.topics) : undefined;
    // On resume the client has seen everything up to afterId; the live stream may still carry such events.
    const floor = options.afterId ?? 0;
    const isWanted = (event: EventRow) => event.id > floor && projects.has(event.projectId) && (!topics || topics.has(event.topic));
    const sent = new Set<number>();
    const remember = (id: number) => {
      sent.add(id);
      // Only recent ids can come round again; keep the set bounded on long subscriptions.
      if (sent.size > 20_000) sent.delete(sent.values().next().value ?? id);
    };
    // Where in the live stream this subscriber starts: taken before the catch-up read, so nothing falls between.
    let position = this.sequence;

    if (options.afterId !== undefined) {
      let afterId = options.afterId;
      for (;;) {
        const rows = await listEventsAfter(this.database.db, { afterId, projectIds: [...projects], limit: 500 });
        for (const row of rows) {
          if (isWanted(row)) {
            remember(row.id);
            yield row;
          }
        }
        if (rows.length < 500) break;
        afterId = rows.at(-1)?.id ?? afterId;
      }
    }

    while (!options.signal?.aborted) {
      const oldest = this.buffer[0];
      if (oldest && position < oldest.sequence - 1) {
        // Fell out of the buffer: read what was missed from the table instead.
        this.stats.tableFallbacks += 1;
        const lastSent = Math.max(options.afterId ?? 0, ...sent);
        for (const row of await listEventsAfter(this.database.db, { afterId: lastSent, projectIds: [...projects], limit: 1_000 })) {
          if (isWanted(row) && !sent.has(row.id)) {
            remember(row.id);
            yield row;
          }
        }
        position = this.sequence;
        continue;
      }
      const start = oldest ? Math.max(0, position - oldest.sequence + 1) : 0;
      const pending = this.buffer.slice(start);
      if (pending.length > 0) {
        position = pending.at(-1)?.sequence ?? position;
        for (const { event } of pending) {
          if (isWanted(event) && !sent.has(event.id)) {
            remember(event.id);
            yield event;
          }
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.wakers.delete(wake);
          resolve();
        };
        this.wakers.add(wake);
        options.signal?.addEventListener("abort", wake, { once: true });
      });
    }
  }
}
