/**
 * The `schedules:tick`: claims due schedules with FOR UPDATE SKIP LOCKED and, in the same transaction,
 * inserts their fires (unique per schedule and fire time), enqueues the fires' action jobs and advances
 * `next_fire_at`. Two ticks at once (two workers) claim disjoint rows; a tick that dies before commit
 * leaves nothing behind, so the next one does the same work once.
 *
 * Which fire times a claimed schedule gets: every due time within `graceMs` of now fires (that is a
 * tick being a little late); older ones were missed (downtime) and follow the catch-up policy: `skip`
 * none, `latest` only the newest due time, `all` the newest `catchUpLimit`. The overlap policy then
 * decides per fire: `allow` queues it, `skip` records it as skipped while an earlier fire (or the run or
 * task it started) is still going, `queue_one` lets one fire wait its turn and skips the rest.
 */
import {
  advanceSchedules,
  claimDueSchedules,
  claimReadyWaitingFires,
  type Database,
  findBusySchedules,
  insertScheduleFires,
  type NewScheduleFire,
  type ScheduleRow,
} from "@gathering/db";
import { publishEvents } from "../events/catalog";
import type { Logger } from "../logger";
import { compileCron, dueFireTimes, nextFireTime } from "./cron";
import type { ScheduleQueue } from "./queue";
import type { CatchUpPolicy, OverlapPolicy } from "./schedules";

export interface TickOptions {
  /** Defaults to the clock; tests pass their own. */
  now?: Date;
  /** Schedules claimed per transaction. */
  batchSize?: number;
  /** A due time at most this old fires as on time; older ones are missed. Default 60 s. */
  graceMs?: number;
  logger?: Logger;
}

export interface TickResult {
  claimed: number;
  fired: number;
  skipped: number;
  /** Fires that waited (overlap queue_one) and were queued now. */
  promoted: number;
}

interface PlannedFire {
  fireAt: Date;
  trigger: "cron" | "catch_up";
}

/** The fire times a claimed schedule gets on this tick, oldest first. */
export function planFireTimes(row: ScheduleRow, now: Date, graceMs: number): PlannedFire[] {
  if (!row.nextFireAt) return [];
  let cron: ReturnType<typeof compileCron>;
  try {
    cron = compileCron(row.cron, row.timezone);
  } catch {
    return [];
  }
  const policy = row.catchUpPolicy as CatchUpPolicy;
  // Enough to cover the on-time ones and the catch-up limit; never more than that is enumerated.
  const due = dueFireTimes(cron, row.nextFireAt, now, Math.max(row.catchUpLimit, 1) + 60);
  const onTimeFrom = now.getTime() - graceMs;
  const onTime = due.filter((time) => time.getTime() >= onTimeFrom);
  const missed = due.filter((time) => time.getTime() < onTimeFrom);
  const planned: PlannedFire[] = [];
  if (policy === "all") planned.push(...missed.slice(-row.catchUpLimit).map((fireAt) => ({ fireAt, trigger: "catch_up" as const })));
  if (policy === "latest" && onTime.length === 0 && missed.length > 0) {
    const latest = missed.at(-1);
    if (latest) planned.push({ fireAt: latest, trigger: "catch_up" });
  }
  planned.push(...onTime.map((fireAt) => ({ fireAt, trigger: "cron" as const })));
  return planned;
}

function nextAfter(row: ScheduleRow, now: Date): Date | null {
  try {
    return nextFireTime(compileCron(row.cron, row.timezone), now);
  } catch {
    return null;
  }
}

/** One claim transaction; returns how many schedules it claimed. */
async function tickBatch(
  db: Database,
  queue: ScheduleQueue,
  now: Date,
  batchSize: number,
  graceMs: number,
  result: TickResult,
): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await claimDueSchedules(tx, { now, limit: batchSize });
    if (rows.length === 0) return 0;
    const busy = await findBusySchedules(
      tx,
      rows.filter((row) => row.overlapPolicy !== "allow").map((row) => row.id),
    );
    const fires: NewScheduleFire[] = [];
    const advances: Array<{ scheduleId: string; nextFireAt: Date | null; lastFireAt: Date | null }> = [];
    for (const row of rows) {
      const planned = planFireTimes(row, now, graceMs);
      const state = busy.get(row.id) ?? { isRunning: false, isWaiting: false };
      const overlap = row.overlapPolicy as OverlapPolicy;
      for (const plan of planned) {
        let status: "queued" | "waiting" | "skipped" = "queued";
        if (overlap !== "allow" && state.isRunning) {
          if (overlap === "queue_one" && !state.isWaiting) {
            status = "waiting";
            state.isWaiting = true;
          } else {
            status = "skipped";
          }
        }
        if (status === "queued") state.isRunning = true;
        fires.push({
          scheduleId: row.id,
          projectId: row.projectId,
          fireAt: plan.fireAt,
          trigger: plan.trigger,
          status,
          action: row.action,
          ...(status === "skipped" ? { error: "An earlier fire was still running (overlap policy)", finishedAt: now, durationMs: 0 } : {}),
        });
      }
      advances.push({ scheduleId: row.id, nextFireAt: nextAfter(row, now), lastFireAt: planned.at(-1)?.fireAt ?? null });
    }
    const inserted = await insertScheduleFires(tx, fires);
    const queued = inserted.filter((fire) => fire.status === "queued");
    const byProject = new Map<string, Array<{ scheduleId: string; fireId: string; status: "queued" | "waiting" | "skipped" }>>();
    for (const fire of inserted) {
      const changes = byProject.get(fire.projectId) ?? [];
      changes.push({ scheduleId: fire.scheduleId, fireId: fire.id, status: fire.status as "queued" | "waiting" | "skipped" });
      byProject.set(fire.projectId, changes);
    }
    // Independent statements of one transaction, sent together (postgres.js pipelines them).
    await Promise.all([
      queue.enqueueFires(
        tx,
        queued.map((fire) => fire.id),
      ),
      advanceSchedules(tx, advances),
      ...[...byProject].map(([projectId, changes]) => publishEvents(tx, projectId, "schedule_fires.changed", changes)),
    ]);
    result.claimed += rows.length;
    result.fired += queued.length;
    result.skipped += inserted.length - queued.length;
    return rows.length;
  });
}

/** Queues waiting fires whose schedule has nothing running any more. */
export async function promoteWaitingFires(db: Database, queue: ScheduleQueue, limit = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const promoted = await claimReadyWaitingFires(tx, { limit });
    if (promoted.length === 0) return 0;
    await queue.enqueueFires(
      tx,
      promoted.map((fire) => fire.id),
    );
    for (const fire of promoted) {
      await publishEvents(tx, fire.projectId, "schedule_fires.changed", [
        { scheduleId: fire.scheduleId, fireId: fire.id, status: "queued" },
      ]);
    }
    return promoted.length;
  });
}

export async function runScheduleTick(db: Database, queue: ScheduleQueue, options: TickOptions = {}): Promise<TickResult> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 500;
  const graceMs = options.graceMs ?? 60_000;
  const result: TickResult = { claimed: 0, fired: 0, skipped: 0, promoted: 0 };
  // Batches keep each transaction's locks short; a full batch means there may be more due.
  for (;;) {
    const claimed = await tickBatch(db, queue, now, batchSize, graceMs, result);
    if (claimed < batchSize) break;
  }
  result.promoted = await promoteWaitingFires(db, queue);
  if (result.claimed > 0) options.logger?.debug({ ...result }, "schedules tick");
  return result;
}
