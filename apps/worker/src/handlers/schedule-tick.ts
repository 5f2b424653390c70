/**
 * The schedules' tick: the job claims and fires due schedules (core/schedules/tick.ts); each worker's
 * timer asks for it at the earliest `next_fire_at` and at least once per tick period. Timers of two
 * workers compute the same moments, and a tick's job key is its moment, so they ask for one tick; the
 * claim's SKIP LOCKED keeps even overlapping ticks from firing anything twice. The timer lives and
 * dies with the worker process, so a restart resumes it, and what came due meanwhile is caught up.
 */
import { type Logger, runScheduleTick } from "@gathering/core";
import { type Database, earliestNextFireAt } from "@gathering/db";
import { type JobPayload, scheduleQueue, type scheduleTickJob } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

export function scheduleTick(dependencies: { graceMs: number }) {
  return async (_payload: JobPayload<typeof scheduleTickJob>, context: JobContext): Promise<void> => {
    await runScheduleTick(context.db, scheduleQueue, { graceMs: dependencies.graceMs, logger: context.logger });
  };
}

export interface ScheduleTicker {
  stop: () => void;
}

/** When to ask next: the earliest due schedule, or the next period boundary, whichever is sooner. */
export function nextTickAt(now: number, periodMs: number, earliest: Date | null): number {
  const boundary = Math.floor(now / periodMs) * periodMs + periodMs;
  if (!earliest) return boundary;
  const due = earliest.getTime();
  // Still due at or before now: a tick is at work (or failed); look again shortly, not in a busy loop.
  if (due <= now) return Math.min(boundary, now + Math.min(periodMs, 1_000));
  return Math.min(boundary, due);
}

export function startScheduleTicker(options: { db: Database; periodMs: number; logger: Logger }): ScheduleTicker {
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  const plan = async () => {
    const earliest = await earliestNextFireAt(options.db).catch((error: unknown) => {
      options.logger.warn({ err: error }, "could not read the next schedule time");
      return null;
    });
    if (isStopped) return;
    const at = nextTickAt(Date.now(), options.periodMs, earliest);
    timer = setTimeout(() => void fire(at), Math.max(0, at - Date.now()));
    timer.unref();
  };
  const fire = async (at: number) => {
    if (isStopped) return;
    await scheduleQueue
      .requestTick(options.db, new Date(at))
      .catch((error: unknown) => options.logger.warn({ err: error }, "could not ask for a schedules tick"));
    await plan();
  };
  void fire(Date.now());
  return {
    stop: () => {
      isStopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
