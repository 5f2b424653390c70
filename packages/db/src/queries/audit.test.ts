import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hitRateLimit, insertAuditEvent, listAuditEvents, peekRateLimit, verifyAuditChain } from "./audit";
import { insertProject } from "./projects";
import { insertUser } from "./users";

let database: TestDatabase;
let projectId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const user = await insertUser(database.db, { email: "Ada@Example.com", name: "Ada", passwordHash: "x" });
  if (!user) throw new Error("no user");
  projectId = (await insertProject(database.db, { name: "P", createdByUserId: user.id })).id;
});
afterAll(async () => {
  await database.drop();
});

describe("audit log", () => {
  it("chains each event to the previous one, also under concurrent writers", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        database.db.transaction((tx) => insertAuditEvent(tx, { projectId, action: "test.event", metadata: { index, text: "é" } })),
      ),
    );
    const verification = await verifyAuditChain(database.db);
    expect(verification).toEqual({ isValid: true, checked: 20, firstInvalidId: null });
    const events = await listAuditEvents(database.db, { projectId, limit: 5 });
    expect(events).toHaveLength(5);
    expect(events[0]?.id).toBeGreaterThan(events[4]?.id ?? Number.POSITIVE_INFINITY);
  });

  it("refuses UPDATE, DELETE and TRUNCATE", async () => {
    for (const statement of [sql`update audit_log set action = 'forged'`, sql`delete from audit_log`, sql`truncate audit_log`]) {
      const error = await database.db.execute(statement).catch((caught: unknown) => caught);
      expect((error as { cause?: Error }).cause?.message).toMatch(/append-only/);
    }
    expect((await verifyAuditChain(database.db)).checked).toBe(20);
  });

  it("detects a row changed behind the triggers' back", async () => {
    // Only a superuser can disable triggers: the attack the chain exists to reveal.
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await tx.execute(
        sql`update audit_log set metadata = '{"index": 999}' where id = (select id from audit_log order by id offset 3 limit 1)`,
      );
      await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    });
    const verification = await verifyAuditChain(database.db);
    expect(verification.isValid).toBe(false);
    const [row] = await database.db.execute<{ id: string }>(
      sql`select audit_log.id::text as id from audit_log order by audit_log.id offset 3 limit 1`,
    );
    expect(verification.firstInvalidId).toBe(Number(row?.id));
  });
});

describe("rate limit buckets", () => {
  it("counts hits within a window and starts over in the next", async () => {
    const key = `test:${Date.now()}`;
    const hits = [];
    for (let index = 0; index < 3; index += 1) hits.push(await hitRateLimit(database.db, { key, windowMs: 60_000 }));
    expect(hits.map((hit) => hit.count)).toEqual([1, 2, 3]);
    expect(await peekRateLimit(database.db, { key, windowMs: 60_000 })).toBe(3);
    // A window that has already passed starts counting again.
    expect((await hitRateLimit(database.db, { key, windowMs: 1 })).count).toBe(1);
  });

  it("never loses a hit under concurrency", async () => {
    const key = `concurrent:${Date.now()}`;
    const hits = await Promise.all(Array.from({ length: 25 }, () => hitRateLimit(database.db, { key, windowMs: 60_000 })));
    expect(hits.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
  });
});
