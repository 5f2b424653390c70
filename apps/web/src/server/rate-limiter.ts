/**
 * Picks the rate-limit store: Upstash (REST) when configured, Redis when REDIS_URL is set, otherwise
 * PostgreSQL, so limits hold across instances with no extra system.
 */
import { createPostgresRateLimiter, type RateLimiter } from "@gathering/core";
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

export function createRateLimiter(env: ServerEnv, db: Database): { limiter: RateLimiter; store: RateLimitStore } {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    return { limiter: createUpstashRateLimiter(env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN), store: "upstash" };
  }
  if (env.REDIS_URL) return { limiter: createRedisRateLimiter(env.REDIS_URL), store: "redis" };
  return { limiter: createPostgresRateLimiter(db), store: "postgres" };
}
