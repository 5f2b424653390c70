/** Query functions for durable events. */
import { and, asc, gt, inArray, lt, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { events } from "../schema";

export const EVENTS_CHANNEL = "gathering_events";

export type EventRow = typeof events.$inferSelect;

/**
 * Appends an event in the caller's transaction and announces it. The NOTIFY payload is always the same,
 * so PostgreSQL folds a transaction's announcements into one, sent at commit (never for a rollback).
 */
export async function insertEvent(db: DbExecutor, event: { projectId: string; topic: string; payload: unknown }): Promise<number> {
  const [row] = await db.insert(events).values(event).returning({ id: events.id });
  await db.execute(sql`select pg_notify(${EVENTS_CHANNEL}, 'new')`);
  if (!row) throw new Error("insert into events returned no row");
  return row.id;
}

/** Events after `afterId`, oldest first, optionally for some projects only. */
export async function listEventsAfter(
  db: DbExecutor,
  params: { afterId: number; projectIds?: readonly string[]; limit: number },
): Promise<EventRow[]> {
  const conditions = [gt(events.id, params.afterId)];
  if (params.projectIds) {
    if (params.projectIds.length === 0) return [];
    conditions.push(inArray(events.projectId, [...params.projectIds]));
  }
  return db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(asc(events.id))
    .limit(params.limit);
}

export async function latestEventId(db: DbExecutor): Promise<number> {
  const rows = await db.execute<{ id: string | null }>(sql`select max(id)::text as id from events`);
  return Number(rows[0]?.id ?? 0);
}

export async function deleteEventsOlderThan(db: DbExecutor, cutoff: Date): Promise<number> {
  const deleted = await db.delete(events).where(lt(events.createdAt, cutoff)).returning({ id: events.id });
  return deleted.length;
}
