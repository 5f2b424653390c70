/**
 * Cron math on croner: 5-field expressions read in an IANA time zone. Chosen over cron-parser (both
 * handle the DST cases in cron.test.ts the same way: a time in the skipped spring hour fires once, at
 * the first valid moment; a time in the repeated autumn hour fires once, at its first occurrence), for
 * being twice as fast per next-time computation, which the tick does for every claimed schedule.
 */
import { Cron } from "croner";
import { LRUCache } from "lru-cache";
import { AppError } from "../errors";

const patternCache = new LRUCache<string, Cron>({ max: 5_000 });

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The parsed expression in its time zone; throws VALIDATION_FAILED with a readable reason. */
export function compileCron(expression: string, timeZone: string): Cron {
  const key = `${timeZone}\u0000${expression}`;
  const cached = patternCache.get(key);
  if (cached) return cached;
  const fields = expression.trim().split(/\s+/);
  if (expression.length > 200 || fields.length !== 5 || expression.trim().startsWith("@")) {
    throw new AppError("VALIDATION_FAILED", "A cron expression has 5 fields: minute hour day-of-month month day-of-week", {
      field: "cron",
    });
  }
  if (!isValidTimeZone(timeZone)) {
    throw new AppError("VALIDATION_FAILED", `Unknown time zone "${timeZone.slice(0, 64)}"; use an IANA name like Europe/Berlin`, {
      field: "timezone",
    });
  }
  let cron: Cron;
  try {
    cron = new Cron(fields.join(" "), { timezone: timeZone, paused: true, mode: "5-part" });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : "invalid";
    throw new AppError("VALIDATION_FAILED", `Invalid cron expression: ${reason}`, { field: "cron" });
  }
  patternCache.set(key, cron);
  return cron;
}

/** The first fire time strictly after `after`, or null when the expression has none. */
export function nextFireTime(cron: Cron, after: Date): Date | null {
  return cron.nextRun(after);
}

/** The next `count` fire times strictly after `after`. */
export function nextFireTimes(cron: Cron, after: Date, count: number): Date[] {
  const times: Date[] = [];
  let cursor: Date | null = after;
  while (times.length < count && cursor) {
    cursor = cron.nextRun(cursor);
    if (cursor) times.push(cursor);
  }
  return times;
}

/**
 * Fire times in [from, until], oldest first: at most the `limit` most recent ones. Forward from `from`
 * first, which for a schedule that is on time (the tick's common case: one due time) costs a step or
 * two; only when more than `limit` are due (downtime) is the list found backwards from `until`, so a
 * month of missed minutes is never enumerated. Backwards always, as it was, cost about 3 ms per
 * schedule (croner steps back through `limit + 2` times), 30 s of CPU for 10,000 schedules in one tick.
 */
export function dueFireTimes(cron: Cron, from: Date, until: Date, limit: number): Date[] {
  if (from.getTime() > until.getTime()) return [];
  const forward: Date[] = [];
  // nextRun is strictly after its argument; a second earlier keeps a time equal to `from` in.
  let cursor = cron.nextRun(new Date(from.getTime() - 1_000));
  while (cursor && cursor.getTime() <= until.getTime() && forward.length <= limit) {
    if (cursor.getTime() >= from.getTime()) forward.push(cursor);
    // Five fields: times are a minute apart at least, so none is left before `until` within one.
    if (until.getTime() - cursor.getTime() < 60_000) break;
    cursor = cron.nextRun(cursor);
  }
  if (forward.length <= limit) return forward;
  // croner's previousRuns leaves out a time in the same second as its reference; asking from a minute
  // later and filtering keeps `until` itself in (cron.test.ts compares this with forward enumeration).
  const recent = cron.previousRuns(limit + 2, new Date(until.getTime() + 61_000));
  return recent
    .filter((time) => time.getTime() >= from.getTime() && time.getTime() <= until.getTime())
    .slice(0, limit)
    .reverse();
}
