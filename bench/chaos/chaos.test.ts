/**
 * The short chaos run inside `npm test`: 2 web instances and 3 workers on one PostgreSQL, a steady
 * stream of pipeline runs, circle runs and schedule fires for about 90 seconds while workers are
 * SIGKILLed, a web instance SIGTERMed and every database connection cut once. It fails if the checker
 * finds any unit of work lost or duplicated, any run left unfinished or any job left locked by a dead
 * worker. No timing is asserted; recovery times are reported by `npm run chaos`.
 */
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runChaos } from "./run-chaos";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

it("loses and duplicates no work while workers are killed, a web instance restarts and connections are cut", async () => {
  const result = await runChaos({
    databaseUrl: database.url,
    db: database.db,
    durationMs: 90_000,
    killEveryMs: 8_000,
    workers: 3,
    webInstances: 2,
    leaseSeconds: 5,
    rates: { pipeline: 1, circle: 0.25, fire: 0.5 },
    drainTimeoutMs: 90_000,
    log: (message) => console.log(`[chaos] ${message}`),
  });
  console.log(
    `[chaos] ${JSON.stringify({ check: result.check, kills: result.kills, faults: result.faults, recovery: result.recovery, exits: result.unexpectedExits })}`,
  );
  expect(result.check.failures).toEqual([]);
  expect(result.check.lost).toBe(0);
  expect(result.check.duplicated).toBe(0);
  expect(result.unfinished).toBe(0);
  expect(result.lockedByDeadWorkers).toBe(0);
  expect(result.kills.length).toBeGreaterThanOrEqual(2);
  expect(result.kills.some((kill) => kill.heldJobs > 0)).toBe(true);
  expect(result.faults.map((fault) => fault.fault).sort()).toEqual(["terminate-backends", "web-sigterm"]);
  expect(result.check.doneOnce).toBeGreaterThan(50);
  expect(result.problems).toEqual([]);
}, 300_000);
