/**
 * Publishing ephemeral events: NOTIFY only, never the table, batched per process.
 *
 *   const publisher = createEphemeralPublisher(db, { windowMs: 25 });   // one per process (web or worker)
 *   publisher.publish(projectId, "agent.token", { streamId, messageId, delta, index });   // synchronous
 *   await publisher.flush();   // send what is pending now (optional: the window sends it anyway)
 *   await publisher.close();   // flush and stop; publish() after close throws
 *
 * `publish` validates the payload against the topic's schema and queues it; the first event of a window
 * starts a timer, and when it fires everything queued goes out in one statement. Within the window,
 * events with the same coalescing key merge (consecutive `agent.token` deltas of one message become one
 * event; `task.progress` keeps the latest level), so a model streaming 100 tokens/s costs one NOTIFY
 * per window, not one per token. A batch bigger than PostgreSQL's NOTIFY payload limit (under 8000
 * bytes) is split into several NOTIFYs sent in the same statement, so they arrive together and in order.
 *
 * Every event on the wire carries the publisher's random id and a sequence number. Batches from one
 * publisher are sent one at a time, so they arrive in order, and the hub (event-hub.ts) drops anything
 * at or below the highest sequence it saw from that publisher: a retried batch that had in fact gone
 * through is not delivered twice. Delivery is best effort: a failed send is retried once, then counted
 * in `stats.failedEvents` and reported to `onError`; nothing waits on it and nothing is stored.
 */
import { randomBytes } from "node:crypto";
import type { Database } from "@gathering/db";
import { sql } from "drizzle-orm";
import { AppError } from "../errors";
import {
  coalescingRuleOf,
  EPHEMERAL_EVENTS_CHANNEL,
  type EphemeralPayloadInput,
  type EphemeralTopic,
  ephemeralEventCatalog,
  isEphemeralTopic,
} from "./catalog";

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (in the default build). */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7_999;

export interface EphemeralPublisherOptions {
  /** How long events are gathered before they are sent; 0 sends on the next turn of the event loop. */
  windowMs?: number;
  /** The largest NOTIFY payload to send, in bytes (at most MAX_NOTIFY_PAYLOAD_BYTES). */
  maxPayloadBytes?: number;
  /** Told about a batch that could not be sent (after one retry). */
  onError?: (error: unknown, lostEvents: number) => void;
}

export interface EphemeralPublisherStats {
  /** publish() calls accepted. */
  published: number;
  /** Of those, merged into an event already waiting in the window. */
  coalesced: number;
  /** Events sent (after merging). */
  sentEvents: number;
  /** NOTIFYs sent. */
  notifications: number;
  /** Events lost because their batch could not be sent. */
  failedEvents: number;
}

export interface EphemeralPublisher {
  readonly publisherId: string;
  readonly stats: EphemeralPublisherStats;
  publish<TTopic extends EphemeralTopic>(projectId: string, topic: TTopic, payload: EphemeralPayloadInput<TTopic>): void;
  /** Sends what is waiting now; resolves once everything published before the call was sent (or given up). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface PendingEvent {
  projectId: string;
  topic: EphemeralTopic;
  payload: unknown;
  createdAtMs: number;
}

/** One event on the wire: [sequence, projectId, topic, payload, createdAt in ms since the epoch]. */
type WireEvent = [number, string, string, unknown, number];

export interface ReceivedEphemeralEvent {
  sequence: number;
  projectId: string;
  topic: EphemeralTopic;
  payload: unknown;
  createdAt: Date;
}

export interface ReceivedEphemeralBatch {
  publisherId: string;
  events: ReceivedEphemeralEvent[];
}

const WIRE_VERSION = 1;
const wireHeader = (publisherId: string) => `{"v":${WIRE_VERSION},"p":${JSON.stringify(publisherId)},"e":[`;
const WIRE_FOOTER = "]}";
/** The longest sequence number a payload can carry, for sizing an event before its number is known. */
const WIDEST_SEQUENCE = Number.MAX_SAFE_INTEGER;

const encodeEvent = (sequence: number, event: PendingEvent) =>
  JSON.stringify([sequence, event.projectId, event.topic, event.payload, event.createdAtMs] satisfies WireEvent);

/** Reads a NOTIFY payload sent by a publisher; undefined for anything else (it is then ignored). */
export function decodeEphemeralBatch(raw: string): ReceivedEphemeralBatch | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { v, p, e } = parsed as { v?: unknown; p?: unknown; e?: unknown };
  if (v !== WIRE_VERSION || typeof p !== "string" || !Array.isArray(e)) return undefined;
  const events: ReceivedEphemeralEvent[] = [];
  for (const item of e as unknown[]) {
    if (!Array.isArray(item) || item.length !== 5) return undefined;
    const [sequence, projectId, topic, payload, createdAtMs] = item as WireEvent;
    if (!Number.isSafeInteger(sequence) || typeof projectId !== "string" || typeof topic !== "string" || typeof createdAtMs !== "number") {
      return undefined;
    }
    // A topic this process does not know (a newer publisher during a rolling deploy) is skipped, not fatal.
    if (!isEphemeralTopic(topic)) continue;
    events.push({ sequence, projectId, topic, payload, createdAt: new Date(createdAtMs) });
  }
  return { publisherId: p, events };
}

/** Packs encoded events, in order, into as few payloads as fit under the limit. */
function packPayloads(header: string, encoded: readonly string[], maxBytes: number): string[] {
  const emptyBytes = Buffer.byteLength(header) + WIRE_FOOTER.length;
  const payloads: string[] = [];
  let current: string[] = [];
  let size = emptyBytes;
  for (const event of encoded) {
    const bytes = Buffer.byteLength(event);
    const separator = current.length > 0 ? 1 : 0;
    if (current.length > 0 && size + separator + bytes > maxBytes) {
      payloads.push(header + current.join(",") + WIRE_FOOTER);
      current = [];
      size = emptyBytes;
    }
    size += (current.length > 0 ? 1 : 0) + bytes;
    current.push(event);
  }
  if (current.length > 0) payloads.push(header + current.join(",") + WIRE_FOOTER);
  return payloads;
}

export function createEphemeralPublisher(db: Database, options: EphemeralPublisherOptions = {}): EphemeralPublisher {
  const windowMs = options.windowMs ?? 25;
  const maxPayloadBytes = Math.min(options.maxPayloadBytes ?? MAX_NOTIFY_PAYLOAD_BYTES, MAX_NOTIFY_PAYLOAD_BYTES);
  const publisherId = randomBytes(6).toString("base64url");
  const header = wireHeader(publisherId);
  const maxEventBytes = maxPayloadBytes - Buffer.byteLength(header) - WIRE_FOOTER.length;
  const stats: EphemeralPublisherStats = { published: 0, coalesced: 0, sentEvents: 0, notifications: 0, failedEvents: 0 };

  let pending: PendingEvent[] = [];
  /** The latest waiting event per coalescing key: later events of the key merge into it. */
  let latestByKey = new Map<string, PendingEvent>();
  let sequence = 0;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  let isClosed = false;

  const fits = (event: PendingEvent) => Buffer.byteLength(encodeEvent(WIDEST_SEQUENCE, event)) <= maxEventBytes;

  async function send(batch: PendingEvent[]): Promise<void> {
    const encoded = batch.map((event) => {
      sequence += 1;
      return encodeEvent(sequence, event);
    });
    const payloads = packPayloads(header, encoded, maxPayloadBytes);
    // One statement, so one transaction: the NOTIFYs of a batch are delivered together and in this order.
    const statement = sql`select ${sql.join(
      payloads.map((payload) => sql`pg_notify(${EPHEMERAL_EVENTS_CHANNEL}, ${payload})`),
      sql`, `,
    )}`;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await db.execute(statement);
        stats.sentEvents += batch.length;
        stats.notifications += payloads.length;
        return;
      } catch (error) {
        if (attempt < 2) continue;
        stats.failedEvents += batch.length;
        options.onError?.(error, batch.length);
        return;
      }
    }
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      latestByKey = new Map();
      // Batches go out one after another, never side by side: that keeps each publisher's sequence in order.
      sending = sending.then(() => send(batch));
    }
    return sending;
  }

  function publish<TTopic extends EphemeralTopic>(projectId: string, topic: TTopic, payload: EphemeralPayloadInput<TTopic>): void {
    if (isClosed) throw new Error("the ephemeral publisher is closed");
    const definition = ephemeralEventCatalog[topic];
    if (!definition) throw new AppError("VALIDATION_FAILED", `unknown ephemeral topic ${String(topic)}`);
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success) throw new AppError("VALIDATION_FAILED", `invalid ${topic} event: ${parsed.error.message}`);
    const event: PendingEvent = { projectId, topic, payload: parsed.data, createdAtMs: Date.now() };
    if (!fits(event)) {
      throw new AppError("PAYLOAD_TOO_LARGE", `a ${topic} event must encode to at most ${maxEventBytes} bytes; split it`);
    }
    stats.published += 1;

    const rule = coalescingRuleOf(topic);
    const key = rule ? `${projectId}\u0000${topic}\u0000${rule.key(event.payload)}` : undefined;
    const earlier = key === undefined ? undefined : latestByKey.get(key);
    if (rule && earlier) {
      const merged = rule.merge(earlier.payload, event.payload);
      if (merged !== undefined && fits({ ...earlier, payload: merged })) {
        earlier.payload = merged;
        stats.coalesced += 1;
        return;
      }
    }
    pending.push(event);
    if (key !== undefined) latestByKey.set(key, event);
    if (!timer) {
      timer = setTimeout(() => void flush(), windowMs);
      // A process may exit with a window open; close() is what sends the rest.
      timer.unref();
    }
  }

  return {
    publisherId,
    stats,
    publish,
    flush,
    async close() {
      isClosed = true;
      await flush();
    },
  };
}
