/**
 * The datetime tool: the current time, time-zone conversion, formatting, calendar arithmetic and
 * differences, computed with Intl only. Wall-clock times are resolved against the zone's real offset
 * history, so arithmetic across daylight-saving changes lands on the right instant.
 */
import { z } from "zod";
import { defineTool } from "../registry";

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatterCache.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "long",
    });
    formatterCache.set(timeZone, formatter);
  }
  return formatter;
}

/** Canonical IANA name of a zone, or a readable error. Accepts any case and legacy aliases. */
export function resolveTimeZone(name: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    const wanted =
      name
        .toLowerCase()
        .split("/")
        .pop()
        ?.replace(/[\s-]+/g, "_") ?? "";
    const suggestions = wanted
      ? Intl.supportedValuesOf("timeZone")
          .filter((zone) => zone.toLowerCase().includes(wanted))
          .slice(0, 5)
      : [];
    const hint = suggestions.length ? ` Did you mean ${suggestions.map((zone) => `"${zone}"`).join(", ")}?` : "";
    throw new Error(`Unknown time zone "${name}": use an IANA name such as "Europe/Paris", "America/New_York" or "UTC".${hint}`);
  }
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function wallTimeAt(timeZone: string, epochMs: number): WallTime & { weekday: string } {
  const parts = Object.fromEntries(
    partsFormatter(timeZone)
      .formatToParts(new Date(epochMs))
      .map((part) => [part.type, part.value]),
  );
  const year = Number(parts.year);
  return {
    year: parts.era === "BC" || parts.era === "B" ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: ((epochMs % 1000) + 1000) % 1000,
    weekday: parts.weekday ?? "",
  };
}

function wallTimeToUtcMs(wall: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

/** The zone's UTC offset at an instant, in milliseconds (positive east of Greenwich). */
function offsetAt(timeZone: string, epochMs: number): number {
  return wallTimeToUtcMs(wallTimeAt(timeZone, epochMs)) - epochMs;
}

/**
 * The instant at which a zone's clocks show `wall`. Like Temporal's "compatible" disambiguation: an
 * ambiguous time (clocks set back) takes the earlier instant; a skipped time (clocks set forward) moves
 * forward by the length of the gap (02:30 on a spring-forward night becomes 03:30).
 */
function zonedWallTimeToInstant(timeZone: string, wall: WallTime): number {
  const asUtc = wallTimeToUtcMs(wall);
  const offsetBefore = offsetAt(timeZone, asUtc - dayMs);
  const offsets = new Set([offsetBefore, offsetAt(timeZone, asUtc), offsetAt(timeZone, asUtc + dayMs)]);
  const matches = [...offsets].map((offset) => asUtc - offset).filter((instant) => offsetAt(timeZone, instant) === asUtc - instant);
  if (matches.length) return Math.min(...matches);
  return asUtc - offsetBefore;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

const isoPattern = /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses "now", an ISO 8601 instant with Z or an offset, or a local date/time read in `timeZone`. */
export function parseInstant(text: string, timeZone: string, field: string): number {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === "now") return Date.now();
  const match = isoPattern.exec(trimmed);
  if (!match) {
    throw new Error(
      `${field}: "${text}" is not a date-time; use ISO 8601 like "2025-03-30T14:00:00Z", "2025-03-30T14:00:00+02:00", ` +
        `"2025-03-30T14:00" (local time in the time zone), "2025-03-30", or "now"`,
    );
  }
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", offset] = match;
  const wall: WallTime = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number(fraction.padEnd(3, "0").slice(0, 3)),
  };
  if (wall.month < 1 || wall.month > 12) throw new Error(`${field}: month ${month} is out of range in "${text}"`);
  if (wall.day < 1 || wall.day > daysInMonth(wall.year, wall.month)) throw new Error(`${field}: day ${day} does not exist in "${text}"`);
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) throw new Error(`${field}: time of day is out of range in "${text}"`);
  if (!offset) return checkRange(zonedWallTimeToInstant(timeZone, wall), field);
  if (offset.toUpperCase() === "Z") return checkRange(wallTimeToUtcMs(wall), field);
  const digits = offset.replace(":", "");
  const sign = digits.startsWith("-") ? -1 : 1;
  const offsetHours = Number(digits.slice(1, 3));
  const offsetMinutes = Number(digits.slice(3, 5) || "0");
  if (offsetHours > 23 || offsetMinutes > 59) throw new Error(`${field}: UTC offset ${offset} is out of range`);
  return checkRange(wallTimeToUtcMs(wall) - sign * (offsetHours * hourMs + offsetMinutes * minuteMs), field);
}

// Years 1 to 9999 keep ISO output four-digit; the day of margin leaves room for any UTC offset.
const minInstant = wallTimeToUtcMs({ year: 1, month: 1, day: 2, hour: 0, minute: 0, second: 0, millisecond: 0 });
const maxInstant = wallTimeToUtcMs({ year: 9999, month: 12, day: 30, hour: 23, minute: 59, second: 59, millisecond: 999 });

function checkRange(epochMs: number, field: string): number {
  if (!Number.isFinite(epochMs) || epochMs < minInstant || epochMs > maxInstant) {
    throw new Error(`${field}: the date is outside the supported years 1 to 9999`);
  }
  return epochMs;
}

function pad(value: number, length = 2): string {
  return String(Math.abs(value)).padStart(length, "0");
}

function formatOffset(offsetMs: number): string {
  const totalMinutes = Math.round(offsetMs / minuteMs);
  const sign = totalMinutes < 0 ? "-" : "+";
  return `${sign}${pad(Math.trunc(Math.abs(totalMinutes) / 60))}:${pad(Math.abs(totalMinutes) % 60)}`;
}

const styles = ["full", "long", "medium", "short"] as const;

function resolveLocale(locale: string | undefined): string {
  if (!locale) return "en-US";
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? "en-US";
  } catch {
    throw new Error(`locale: "${locale}" is not a valid BCP 47 language tag (e.g. "en-GB", "fr", "ja-JP")`);
  }
}

/** How one instant reads in one zone. */
export function describeInstant(epochMs: number, timeZone: string, options: { locale?: string; style?: (typeof styles)[number] } = {}) {
  const wall = wallTimeAt(timeZone, epochMs);
  const offset = formatOffset(offsetAt(timeZone, epochMs));
  const date = `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
  const time = `${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${wall.millisecond ? `.${pad(wall.millisecond, 3)}` : ""}`;
  const style = options.style ?? "full";
  const formatted = new Intl.DateTimeFormat(resolveLocale(options.locale), {
    timeZone,
    dateStyle: style,
    timeStyle: style === "full" ? "long" : style,
  }).format(new Date(epochMs));
  const abbreviation =
    new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" })
      .formatToParts(new Date(epochMs))
      .find((part) => part.type === "timeZoneName")?.value ?? "";
  return {
    timeZone,
    local: `${date}T${time}${offset}`,
    utc: new Date(epochMs).toISOString(),
    date,
    time,
    weekday: wall.weekday,
    utcOffset: offset,
    timeZoneAbbreviation: abbreviation,
    formatted,
    epochMilliseconds: epochMs,
  };
}

const ZDuration = z
  .object({
    years: z.number().int().min(-10_000).max(10_000).optional(),
    months: z.number().int().min(-120_000).max(120_000).optional(),
    weeks: z.number().int().min(-520_000).max(520_000).optional(),
    days: z.number().int().min(-3_650_000).max(3_650_000).optional(),
    hours: z.number().min(-87_600_000).max(87_600_000).optional(),
    minutes: z.number().optional(),
    seconds: z.number().optional(),
  })
  .describe(
    "Amounts to add (negative to subtract). Years, months, weeks and days move the local calendar date and keep the wall-clock time " +
      "(a day across a DST change can be 23 or 25 hours; Jan 31 + 1 month = last day of February); hours, minutes and seconds are exact elapsed time.",
  );

/** Adds calendar units on the zone's wall clock, then exact units on the timeline (as Temporal does). */
function addDuration(epochMs: number, timeZone: string, duration: z.infer<typeof ZDuration>): number {
  let result = epochMs;
  const { years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0, seconds = 0 } = duration;
  if (years || months || weeks || days) {
    const wall = wallTimeAt(timeZone, epochMs);
    const monthIndex = wall.year * 12 + (wall.month - 1) + years * 12 + months;
    const year = Math.floor(monthIndex / 12);
    const month = (monthIndex % 12) + 1;
    const day = Math.min(wall.day, daysInMonth(year, month));
    const shifted = new Date(0);
    shifted.setUTCFullYear(year, month - 1, day + weeks * 7 + days);
    result = zonedWallTimeToInstant(timeZone, {
      ...wall,
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
    });
  }
  result += Math.round(hours * hourMs + minutes * minuteMs + seconds * 1000);
  return checkRange(result, "duration");
}

function calendarDayNumber(epochMs: number, timeZone: string): number {
  const wall = wallTimeAt(timeZone, epochMs);
  return Math.round(wallTimeToUtcMs({ ...wall, hour: 0, minute: 0, second: 0, millisecond: 0 }) / dayMs);
}

function describeDifference(fromMs: number, toMs: number, timeZone: string) {
  const milliseconds = toMs - fromMs;
  const sign = milliseconds < 0 ? -1 : 1;
  let rest = Math.abs(milliseconds);
  const days = Math.floor(rest / dayMs);
  rest -= days * dayMs;
  const hours = Math.floor(rest / hourMs);
  rest -= hours * hourMs;
  const minutes = Math.floor(rest / minuteMs);
  rest -= minutes * minuteMs;
  const seconds = rest / 1000;
  const words = [
    [days, "day"],
    [hours, "hour"],
    [minutes, "minute"],
    [seconds, "second"],
  ]
    .filter(([amount]) => amount)
    .map(([amount, unit]) => `${amount} ${unit}${amount === 1 ? "" : "s"}`)
    .join(" ");
  return {
    milliseconds,
    totalSeconds: milliseconds / 1000,
    totalMinutes: Number((milliseconds / minuteMs).toFixed(4)),
    totalHours: Number((milliseconds / hourMs).toFixed(4)),
    totalDays: Number((milliseconds / dayMs).toFixed(4)),
    duration: { sign, days, hours, minutes, seconds },
    text: words ? `${sign < 0 ? "minus " : ""}${words}` : "0 seconds",
    calendarDays: calendarDayNumber(toMs, timeZone) - calendarDayNumber(fromMs, timeZone),
    timeZone,
  };
}

const operations = ["now", "convert", "format", "add", "difference"] as const;

const requiredFields: Record<(typeof operations)[number], string[]> = {
  now: [],
  convert: ["instant", "toTimeZone"],
  format: ["instant"],
  add: ["instant", "duration"],
  difference: ["from", "to"],
};

const instantDescription =
  'An ISO 8601 date-time: with "Z" or an offset it is an exact instant ("2025-03-30T14:00:00Z", "2025-03-30T14:00:00+02:00"); ' +
  'without one ("2025-03-30T14:00", "2025-03-30") it is local time in timeZone; or "now"';

const ZDatetimeInput = z
  .object({
    operation: z
      .enum(operations)
      .describe(
        "now: current time in timeZone. convert: show instant (read in timeZone when it has no offset) in toTimeZone. " +
          "format: render instant in timeZone with locale and style. add: instant plus duration, in timeZone. difference: to minus from.",
      ),
    timeZone: z.string().max(64).default("UTC").describe('IANA time zone, e.g. "Europe/Paris", "America/New_York", "UTC" (default)'),
    toTimeZone: z.string().max(64).optional().describe("convert: the IANA time zone to convert into"),
    instant: z.string().max(64).optional().describe(`convert, format, add: ${instantDescription}`),
    from: z.string().max(64).optional().describe(`difference: the start. ${instantDescription}`),
    to: z.string().max(64).optional().describe(`difference: the end. ${instantDescription}`),
    duration: ZDuration.optional(),
    locale: z
      .string()
      .max(35)
      .optional()
      .describe('BCP 47 locale for the human-readable "formatted" text, e.g. "en-GB", "fr-FR" (default "en-US")'),
    style: z.enum(styles).default("full").describe("Length of the formatted text"),
  })
  .superRefine((input, context) => {
    for (const field of requiredFields[input.operation]) {
      if (input[field as keyof typeof input] === undefined) {
        context.addIssue({ code: "custom", path: [field], message: `required for operation "${input.operation}"` });
      }
    }
  });

export const datetimeTool = defineTool({
  name: "datetime",
  category: "time",
  description:
    "Date and time calculations with real time-zone rules (daylight saving included): current time in a zone, convert an instant " +
    "between zones, format for a locale, add or subtract a duration, and the difference between two instants. Results give local " +
    "ISO time with offset, UTC, weekday and a readable text.",
  input: ZDatetimeInput,
  timeoutMs: 5_000,
  async execute(input) {
    const timeZone = resolveTimeZone(input.timeZone);
    const view = { locale: input.locale, style: input.style };
    switch (input.operation) {
      case "now":
        return describeInstant(Date.now(), timeZone, view);
      case "convert": {
        const toTimeZone = resolveTimeZone(input.toTimeZone ?? "UTC");
        const instant = parseInstant(input.instant ?? "", timeZone, "instant");
        return { from: describeInstant(instant, timeZone, view), to: describeInstant(instant, toTimeZone, view) };
      }
      case "format":
        return describeInstant(parseInstant(input.instant ?? "", timeZone, "instant"), timeZone, view);
      case "add": {
        const start = parseInstant(input.instant ?? "", timeZone, "instant");
        const result = addDuration(start, timeZone, input.duration ?? {});
        return {
          start: describeInstant(start, timeZone, view),
          result: describeInstant(result, timeZone, view),
          elapsed: describeDifference(start, result, timeZone).text,
        };
      }
      case "difference": {
        const from = parseInstant(input.from ?? "", timeZone, "from");
        const to = parseInstant(input.to ?? "", timeZone, "to");
        return describeDifference(from, to, timeZone);
      }
    }
  },
});

export const timeTools = [datetimeTool];
