import { randomUUID } from "node:crypto";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { createRedisRateLimiter } from "./rate-limiter";

const redisUrl = "redis://127.0.0.1:6379";

/** The developers' and CI machines run Redis; a machine without it has nothing to test this store against. */
async function isRedisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(6379, "127.0.0.1");
  });
}

describe.runIf(await isRedisReachable())("Redis rate limiter", () => {
  it("allows the limit within a window, refuses the next hit, and counts concurrent hits exactly", async () => {
    const limiter = createRedisRateLimiter(redisUrl);
    try {
      const key = `test:${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 12 }, () => limiter.limit(key, 10, 60_000)));
      expect(results.filter((result) => result.isAllowed)).toHaveLength(10);
      expect(results.map((result) => result.remaining).sort((a, b) => a - b)[0]).toBe(0);
      const next = await limiter.limit(key, 10, 60_000);
      expect(next.isAllowed).toBe(false);
      expect(next.resetAt.getTime()).toBeGreaterThan(Date.now());
      expect(next.resetAt.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    } finally {
      await limiter.close();
    }
  });

  it("starts a new window once the old one has expired", async () => {
    const limiter = createRedisRateLimiter(redisUrl);
    try {
      const key = `test:${randomUUID()}`;
      expect((await limiter.limit(key, 1, 200)).isAllowed).toBe(true);
      expect((await limiter.limit(key, 1, 200)).isAllowed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await limiter.limit(key, 1, 200)).isAllowed).toBe(true);
    } finally {
      await limiter.close();
    }
  });
});
