import { peekRateLimit } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatchedRateLimiter, createPostgresRateLimiter } from "./rate-limiter";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("PostgreSQL rate limiter", () => {
  it("allows exactly the limit in a window and reports when it resets", async () => {
    const limiter = createPostgresRateLimiter(database.db);
    const results = await Promise.all(Array.from({ length: 8 }, () => limiter.limit("exact", 5, 60_000)));
    expect(results.filter((result) => result.isAllowed)).toHaveLength(5);
    expect(results.every((result) => result.resetAt.getTime() > Date.now())).toBe(true);
  });
});

describe("batched rate limiter", () => {
  it("holds one limit across two instances once they have exchanged counts, without a query per request", async () => {
    const instanceA = createBatchedRateLimiter(database.db, { flushIntervalMs: 60_000 });
    const instanceB = createBatchedRateLimiter(database.db, { flushIntervalMs: 60_000 });
    try {
      database.queries.reset();
      for (let hit = 0; hit < 60; hit += 1) expect((await instanceA.limit("shared", 100, 60_000)).isAllowed).toBe(true);
      expect(database.queries.count).toBe(0);
      await instanceA.flush();
      expect(await peekRateLimit(database.db, { key: "shared", windowMs: 60_000 })).toBe(60);

      expect((await instanceB.limit("shared", 100, 60_000)).isAllowed).toBe(true);
      await instanceB.flush();
      const allowed: boolean[] = [];
      for (let hit = 0; hit < 45; hit += 1) allowed.push((await instanceB.limit("shared", 100, 60_000)).isAllowed);
      // 60 from A + 1 + 39 from B reach the limit of 100; the rest are refused.
      expect(allowed.filter(Boolean)).toHaveLength(39);
      await instanceB.flush();
      expect(await peekRateLimit(database.db, { key: "shared", windowMs: 60_000 })).toBe(106);
      await instanceA.limit("shared", 100, 60_000);
      await instanceA.flush();
      expect((await instanceA.limit("shared", 100, 60_000)).isAllowed).toBe(false);
    } finally {
      await instanceA.close();
      await instanceB.close();
    }
  });
});
