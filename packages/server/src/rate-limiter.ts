/**
 * Picks the rate-limit store: Upstash (REST) when configured, Redis when REDIS_URL is set, otherwise
 * PostgreSQL, so limits hold across instances with no extra system.
 */
import { createBatchedRateLimiter, createPostgresRateLimiter, type RateLimiter } from "@gathering/core";
import type { Database } from "@gathering/db";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis } from "ioredis";
import type { ServerEnv } from "./env";

export type RateLimitStore = "upstash" | "redis" | "postgres";

// Fixed window: INCR, set the expiry on the first hit, report count and time left, atomically.
const fixedWindowScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

export function createRedisRateLimiter(url: string): RateLimiter & { close: () => Promise<void> } {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  return {
    limit: async (key, limit, windowMs) => {
      const [count, ttl] = (await redis.eval(fixedWindowScript, 1, `gathering:rl:${key}`, String(windowMs))) as [number, number];
      return { isAllowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAt: new Date(Date.now() + Math.max(ttl, 0)) };
    },
    close: async () => {
      await redis.quit();
    },
  };
}

function createUpstashRateLimiter(url: string, token: string): RateLimiter {
  const redis = new UpstashRedis({ url, token });
  const limiters = new Map<string, Ratelimit>();
  return {
    limit: async (key, limit, windowMs) => {
      const id = `${limit}/${windowMs}`;
      let limiter = limiters.get(id);
      if (!limiter) {
        limiter = new Ratelimit({ redis, limiter: Ratelimit.fixedWindow(limit, `${windowMs} ms`), prefix: "gathering:rl" });
        limiters.set(id, limiter);
      }
      const result = await limiter.limit(key);
      return { isAllowed: result.success, limit, remaining: result.remaining, resetAt: new Date(result.reset) };
    },
  };
}

export interface RateLimiters {
  /** For the per-request limits: batched when the store is PostgreSQL. */
  limiter: RateLimiter;
  /** For the small, strict limits: every hit counted in the store at once. */
  exactLimiter: RateLimiter;
  store: RateLimitStore;
}

export function createRateLimiters(env: ServerEnv, db: Database): RateLimiters {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    const limiter = createUpstashRateLimiter(env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN);
    return { limiter, exactLimiter: limiter, store: "upstash" };
  }
  if (env.REDIS_URL) {
    const limiter = createRedisRateLimiter(env.REDIS_URL);
    return { limiter, exactLimiter: limiter, store: "redis" };
  }
  // One upsert per request on a hot row would cap an instance at about 1,400 requests/s (see BENCHMARKS.md).
  return { limiter: createBatchedRateLimiter(db), exactLimiter: createPostgresRateLimiter(db), store: "postgres" };
}
