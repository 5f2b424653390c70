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
  const [id] = await insertEvents(db, [event]);
  if (id === undefined) throw new Error("insert into events returned no row");
  return id;
}

/** Appends several events and announces them, in one statement (one round trip however many). */
export async function insertEvents(
  db: DbExecutor,
  rows: ReadonlyArray<{ projectId: string; topic: string; payload: unknown }>,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const records = JSON.stringify(rows.map((row) => ({ project_id: row.projectId, topic: row.topic, payload: row.payload })));
  const inserted = await db.execute<{ id: string }>(sql`
    with inserted as (
      insert into events (project_id, topic, payload)
      select project_id, topic, payload
      from json_to_recordset(${records}::json) as record(project_id uuid, topic text, payload jsonb)
      returning id
    )
    select id::text as id, pg_notify(${EVENTS_CHANNEL}, 'new') from inserted order by id`);
  return inserted.map((row) => Number(row.id));
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
