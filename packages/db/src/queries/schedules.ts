/**
 * Query functions for schedules and their fires. The tick's claim takes due rows with FOR UPDATE SKIP
 * LOCKED, so concurrent ticks (two workers) split the due schedules instead of waiting on each other,
 * and a row whose `next_fire_at` another tick just advanced is re-checked by Postgres and left out.
 */
import { and, asc, desc, eq, ilike, inArray, isNotNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { agentTasks, pipelineRuns, scheduleFires, schedules } from "../schema";
import { containsPattern } from "./search";

export type ScheduleRow = typeof schedules.$inferSelect;
export type ScheduleFireRow = typeof scheduleFires.$inferSelect;
export type NewScheduleFire = typeof scheduleFires.$inferInsert;
/** A fire in these states has not finished its action. */
export const unfinishedFireStatuses = ["waiting", "queued", "running"] as const;

export async function insertSchedule(db: DbExecutor, values: typeof schedules.$inferInsert): Promise<ScheduleRow> {
  const [row] = await db.insert(schedules).values(values).returning();
  if (!row) throw new Error("insert into schedules returned no row");
  return row;
}

export async function findSchedule(db: DbExecutor, params: { projectId: string; scheduleId: string }): Promise<ScheduleRow | undefined> {
  const [row] = await db
    .select()
    .from(schedules)
    .where(and(eq(schedules.projectId, params.projectId), eq(schedules.id, params.scheduleId)));
  return row;
}

export async function lockSchedule(db: DbExecutor, params: { projectId: string; scheduleId: string }): Promise<ScheduleRow | undefined> {
  const [row] = await db
    .select()
    .from(schedules)
    .where(and(eq(schedules.projectId, params.projectId), eq(schedules.id, params.scheduleId)))
    .for("update");
  return row;
}

export async function updateScheduleRow(
  db: DbExecutor,
  params: { scheduleId: string; values: Partial<typeof schedules.$inferInsert> },
): Promise<ScheduleRow> {
  const [row] = await db
    .update(schedules)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(schedules.id, params.scheduleId))
    .returning();
  if (!row) throw new Error("update of schedules returned no row");
  return row;
}

export async function deleteScheduleRow(db: DbExecutor, params: { projectId: string; scheduleId: string }): Promise<boolean> {
  const rows = await db
    .delete(schedules)
    .where(and(eq(schedules.projectId, params.projectId), eq(schedules.id, params.scheduleId)))
    .returning({ id: schedules.id });
  return rows.length > 0;
}

export async function listScheduleRows(
  db: DbExecutor,
  params: { projectId: string; search?: string; limit: number; cursor?: { createdAt: Date; id: string } },
): Promise<ScheduleRow[]> {
  const conditions: SQL[] = [eq(schedules.projectId, params.projectId)];
  if (params.search) conditions.push(ilike(schedules.name, containsPattern(params.search)));
  if (params.cursor) {
    const before = or(
      lt(schedules.createdAt, params.cursor.createdAt),
      and(eq(schedules.createdAt, params.cursor.createdAt), lt(schedules.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select()
    .from(schedules)
    .where(and(...conditions))
    .orderBy(desc(schedules.createdAt), desc(schedules.id))
    .limit(params.limit);
}

/** The project's unpaused schedules that will fire, soonest first (the overview's "due next"; served by schedules_due_idx). */
export async function listUpcomingScheduleRows(db: DbExecutor, params: { projectId: string; limit: number }): Promise<ScheduleRow[]> {
  return db
    .select()
    .from(schedules)
    .where(and(eq(schedules.projectId, params.projectId), eq(schedules.isPaused, false), isNotNull(schedules.nextFireAt)))
    .orderBy(asc(schedules.nextFireAt), asc(schedules.id))
    .limit(params.limit);
}

/** Due, unpaused schedules, oldest due first, locked for this transaction; rows other ticks hold are skipped. */
export async function claimDueSchedules(db: DbExecutor, params: { now: Date; limit: number }): Promise<ScheduleRow[]> {
  return db
    .select()
    .from(schedules)
    .where(and(eq(schedules.isPaused, false), lte(schedules.nextFireAt, params.now)))
    .orderBy(schedules.nextFireAt)
    .limit(params.limit)
    .for("update", { skipLocked: true });
}

/** Sets each schedule's next fire time in one statement. */
export async function advanceSchedules(
  db: DbExecutor,
  updates: ReadonlyArray<{ scheduleId: string; nextFireAt: Date | null; lastFireAt: Date | null }>,
): Promise<void> {
  if (updates.length === 0) return;
  const rows = JSON.stringify(
    updates.map((update) => ({
      id: update.scheduleId,
      next: update.nextFireAt?.toISOString() ?? null,
      last: update.lastFireAt?.toISOString() ?? null,
    })),
  );
  await db.execute(sql`
    update schedules s set
      next_fire_at = u.next,
      last_fire_at = coalesce(u.last, s.last_fire_at),
      updated_at = now()
    from json_to_recordset(${rows}::json) as u(id uuid, next timestamptz, last timestamptz)
    where s.id = u.id`);
}

/** The earliest fire time of any unpaused schedule: when the next tick is worth running. */
export async function earliestNextFireAt(db: DbExecutor): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<string | null>`min(${schedules.nextFireAt})` })
    .from(schedules)
    .where(and(eq(schedules.isPaused, false), sql`${schedules.nextFireAt} is not null`));
  return row?.at ? new Date(row.at) : null;
}

/** Inserts fires; one that exists for the same (schedule, fire time) is left alone and not returned. */
export async function insertScheduleFires(db: DbExecutor, values: readonly NewScheduleFire[]): Promise<ScheduleFireRow[]> {
  if (values.length === 0) return [];
  return db
    .insert(scheduleFires)
    .values([...values])
    .onConflictDoNothing({ target: [scheduleFires.scheduleId, scheduleFires.fireAt] })
    .returning();
}

/**
 * Per schedule, whether an earlier fire is still at work (its action unfinished, or the pipeline run or
 * agent task it started still going) and whether a fire already waits its turn (overlap "queue_one").
 */
export async function findBusySchedules(
  db: DbExecutor,
  scheduleIds: readonly string[],
): Promise<Map<string, { isRunning: boolean; isWaiting: boolean }>> {
  const busy = new Map<string, { isRunning: boolean; isWaiting: boolean }>();
  if (scheduleIds.length === 0) return busy;
  const rows = await db
    .select({ scheduleId: scheduleFires.scheduleId, status: scheduleFires.status })
    .from(scheduleFires)
    .leftJoin(pipelineRuns, eq(pipelineRuns.id, scheduleFires.pipelineRunId))
    .leftJoin(agentTasks, eq(agentTasks.id, scheduleFires.agentTaskId))
    .where(
      and(
        inArray(scheduleFires.scheduleId, [...scheduleIds]),
        or(
          inArray(scheduleFires.status, [...unfinishedFireStatuses]),
          and(eq(scheduleFires.status, "succeeded"), eq(pipelineRuns.status, "running")),
          and(eq(scheduleFires.status, "succeeded"), inArray(agentTasks.status, ["queued", "running", "waiting"])),
        ),
      ),
    );
  for (const row of rows) {
    const entry = busy.get(row.scheduleId) ?? { isRunning: false, isWaiting: false };
    if (row.status === "waiting") entry.isWaiting = true;
    else entry.isRunning = true;
    busy.set(row.scheduleId, entry);
  }
  return busy;
}

/** Waiting fires (overlap "queue_one") whose schedule has nothing running any more, locked. */
export async function claimReadyWaitingFires(db: DbExecutor, params: { limit: number }): Promise<ScheduleFireRow[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select f.id from schedule_fires f
    where f.status = 'waiting'
      and not exists (
        select 1 from schedule_fires o
        left join pipeline_runs r on r.id = o.pipeline_run_id
        left join agent_tasks t on t.id = o.agent_task_id
        where o.schedule_id = f.schedule_id and o.id <> f.id
          and (o.status in ('queued', 'running')
            or (o.status = 'succeeded' and (r.status = 'running' or t.status in ('queued', 'running', 'waiting'))))
      )
    order by f.fire_at
    limit ${params.limit}
    for update of f skip locked`);
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return [];
  return db
    .update(scheduleFires)
    .set({ status: "queued", updatedAt: new Date() })
    .where(and(inArray(scheduleFires.id, ids), eq(scheduleFires.status, "waiting")))
    .returning();
}

export async function findScheduleFire(
  db: DbExecutor,
  params: { projectId: string; fireId: string },
): Promise<ScheduleFireRow | undefined> {
  const [row] = await db
    .select()
    .from(scheduleFires)
    .where(and(eq(scheduleFires.projectId, params.projectId), eq(scheduleFires.id, params.fireId)));
  return row;
}

export async function lockScheduleFire(db: DbExecutor, fireId: string): Promise<ScheduleFireRow | undefined> {
  const [row] = await db.select().from(scheduleFires).where(eq(scheduleFires.id, fireId)).for("update");
  return row;
}

/**
 * A fire locked for this transaction together with its schedule (null once deleted): what a fire's job
 * reads first, in one round trip.
 */
export async function lockScheduleFireWithSchedule(
  db: DbExecutor,
  fireId: string,
): Promise<{ fire: ScheduleFireRow; schedule: ScheduleRow | null } | undefined> {
  const [row] = await db
    .select({ fire: scheduleFires, schedule: schedules })
    .from(scheduleFires)
    .leftJoin(schedules, and(eq(schedules.id, scheduleFires.scheduleId), eq(schedules.projectId, scheduleFires.projectId)))
    .where(eq(scheduleFires.id, fireId))
    .for("update", { of: scheduleFires });
  return row;
}

export async function updateScheduleFire(
  db: DbExecutor,
  params: { fireId: string; values: Partial<typeof scheduleFires.$inferInsert> },
): Promise<ScheduleFireRow> {
  const [row] = await db
    .update(scheduleFires)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(scheduleFires.id, params.fireId))
    .returning();
  if (!row) throw new Error("update of schedule_fires returned no row");
  return row;
}

/** A schedule's fires, newest first, with the status of the run or task each started. */
export async function listScheduleFireRows(
  db: DbExecutor,
  params: { projectId: string; scheduleId: string; limit: number; cursor?: { fireAt: Date; id: string } },
) {
  const conditions: SQL[] = [eq(scheduleFires.projectId, params.projectId), eq(scheduleFires.scheduleId, params.scheduleId)];
  if (params.cursor) {
    const before = or(
      lt(scheduleFires.fireAt, params.cursor.fireAt),
      and(eq(scheduleFires.fireAt, params.cursor.fireAt), lt(scheduleFires.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select({ fire: scheduleFires, runStatus: pipelineRuns.status, taskStatus: agentTasks.status })
    .from(scheduleFires)
    .leftJoin(pipelineRuns, eq(pipelineRuns.id, scheduleFires.pipelineRunId))
    .leftJoin(agentTasks, eq(agentTasks.id, scheduleFires.agentTaskId))
    .where(and(...conditions))
    .orderBy(desc(scheduleFires.fireAt), desc(scheduleFires.id))
    .limit(params.limit);
}

/** Merges keys into a fire's result (what each step of its action has done so far). */
export async function mergeScheduleFireResult(db: DbExecutor, params: { fireId: string; patch: Record<string, unknown> }): Promise<void> {
  await db.execute(sql`
    update schedule_fires set result = result || ${JSON.stringify(params.patch)}::jsonb, updated_at = now()
    where id = ${params.fireId}`);
}
