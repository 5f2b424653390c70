import { createEmptyDatabase } from "@gathering/testing";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATION_LOCK_KEY, migrate } from "./migrate";
import { expectedMigrations, getMigrationStatus } from "./migration-status";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function emptyDatabase() {
  const database = await createEmptyDatabase();
  cleanups.push(database.drop);
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  cleanups.unshift(() => sql.end({ timeout: 5 }));
  return { url: database.url, sql };
}

describe("migrate", () => {
  it("applies every migration to an empty database, then finds nothing to do", async () => {
    const { url, sql } = await emptyDatabase();
    expect(await getMigrationStatus(sql)).toMatchObject({ isCurrent: false, applied: 0 });

    const first = await migrate(url);
    expect(first.applied).toBe(expectedMigrations.length);
    expect(await getMigrationStatus(sql)).toEqual({
      isCurrent: true,
      applied: expectedMigrations.length,
      expected: expectedMigrations.length,
    });

    const second = await migrate(url);
    expect(second).toEqual({ applied: 0, waitedForLock: false });
  });

  it("lets two racing migrations migrate once: one applies, the other waits and finds nothing to do", async () => {
    const { url, sql } = await emptyDatabase();
    // Hold the lock so both calls are certainly waiting when it is released.
    const holder = await sql.reserve();
    await holder`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    const racing = Promise.all([migrate(url), migrate(url)]);
    // Both must be blocked on the lock before we let go.
    await expect
      .poll(async () => {
        const [row] = await sql<{ waiting: number }[]>`
          select count(*)::int as waiting from pg_locks
          where locktype = 'advisory' and objid = ${MIGRATION_LOCK_KEY} and not granted`;
        return row?.waiting;
      })
      .toBe(2);
    await holder`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    holder.release();

    const results = await racing;
    expect(results.map((result) => result.applied).sort()).toEqual([0, expectedMigrations.length]);
    expect(results.every((result) => result.waitedForLock)).toBe(true);
    const [tables] = await sql<{ count: number }[]>`
      select count(*)::int as count from information_schema.tables where table_name in ('worker_heartbeats', 'instance_settings')`;
    expect(tables?.count).toBe(2);
  });
});
