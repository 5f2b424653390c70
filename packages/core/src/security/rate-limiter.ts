/**
 * Rate limiting behind one interface, with a PostgreSQL store (fixed window per key) that needs no
 * extra system and holds across instances. Other stores (Redis, Upstash) live with the API.
 */
import { type DbExecutor, hitRateLimit, peekRateLimit } from "@gathering/db";

export interface RateLimitResult {
  isAllowed: boolean;
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface RateLimiter {
  /** Counts one hit on `key` and says whether it is within `limit` per `windowMs`. */
  limit: (key: string, limit: number, windowMs: number) => Promise<RateLimitResult>;
}

/** Counters that are read before an action and bumped only when it fails (sign-in failures). */
export interface FailureCounter {
  count: (key: string, windowMs: number) => Promise<number>;
  increment: (key: string, windowMs: number) => Promise<number>;
}

export function createPostgresRateLimiter(db: DbExecutor): RateLimiter & FailureCounter {
  return {
    limit: async (key, limit, windowMs) => {
      const hit = await hitRateLimit(db, { key, windowMs });
      return { isAllowed: hit.count <= limit, limit, remaining: Math.max(0, limit - hit.count), resetAt: hit.resetAt };
    },
    count: (key, windowMs) => peekRateLimit(db, { key, windowMs }),
    increment: async (key, windowMs) => (await hitRateLimit(db, { key, windowMs })).count,
  };
}

export interface BatchedRateLimiter extends RateLimiter {
  /** Sends the hits counted locally to the shared store now. */
  flush: () => Promise<void>;
  close: () => Promise<void>;
}

interface LocalWindow {
  windowMs: number;
  /** Hits counted here and not yet sent to the store. */
  pending: number;
  /** The store's count for the key at the last flush (all instances together). */
  sharedCount: number;
  resetAt: number;
}

/**
 * Keeps per-key counters in memory and sends them to PostgreSQL in batches (every `flushIntervalMs`),
 * instead of one upsert per request on a hot row. Each decision uses the shared count of every
 * instance as of the last flush plus this instance's own hits since, so limits still hold across
 * instances, within one flush interval. Meant for the generous per-request limits; keep the exact
 * limiter for small ones (sign-up, sign-in failures).
 */
export function createBatchedRateLimiter(db: DbExecutor, options: { flushIntervalMs?: number; maxKeys?: number } = {}): BatchedRateLimiter {
  const windows = new Map<string, LocalWindow>();
  const maxKeys = options.maxKeys ?? 100_000;
  let flushing: Promise<void> | undefined;

  const flush = async () => {
    if (flushing) return flushing;
    flushing = (async () => {
      const now = Date.now();
      await Promise.all(
        [...windows].map(async ([key, window]) => {
          if (window.pending === 0) {
            // Forget keys whose window has passed with nothing new, so the map stays small.
            if (window.resetAt <= now) windows.delete(key);
            return;
          }
          const cost = window.pending;
          window.pending = 0;
          try {
            const hit = await hitRateLimit(db, { key, windowMs: window.windowMs, cost });
            window.sharedCount = hit.count;
            window.resetAt = hit.resetAt.getTime();
          } catch {
            // The store is unreachable: keep the hits to send next time rather than forget them.
            window.pending += cost;
          }
        }),
      );
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 200);
  timer.unref();

  return {
    limit: async (key, limit, windowMs) => {
      const now = Date.now();
      let window = windows.get(key);
      if (!window || window.resetAt <= now) {
        if (!window && windows.size >= maxKeys) await flush();
        window = { windowMs, pending: 0, sharedCount: 0, resetAt: now + windowMs };
        windows.set(key, window);
      }
      window.pending += 1;
      const count = window.sharedCount + window.pending;
      return { isAllowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAt: new Date(window.resetAt) };
    },
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}
