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
