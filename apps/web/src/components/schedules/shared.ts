/**
 * What the schedule pages share: the API's types, statuses and policies as people read them, event
 * payloads checked, the cron presets and a plain-language reading of a 5-field expression. The types
 * come from the API's own outputs, so a status or action kind added there fails to compile here.
 */
import type { RouterInputs, RouterOutputs } from "@gathering/api";
import { formatDateWith } from "../format";

export type Schedule = RouterOutputs["schedules"]["get"];
export type ScheduleFire = RouterOutputs["schedules"]["history"]["items"][number];
export type FireStatus = ScheduleFire["status"];
export type ScheduleAction = Schedule["action"];
export type ScheduleActionKind = ScheduleAction["kind"];
export type OverlapPolicy = Schedule["overlapPolicy"];
export type CatchUpPolicy = Schedule["catchUpPolicy"];
export type CreateScheduleInput = RouterInputs["schedules"]["create"];

export const fireStatusLabels: Record<FireStatus, string> = {
  waiting: "Waiting its turn",
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped",
};

export const fireTriggerLabels: Record<ScheduleFire["trigger"], string> = {
  cron: "On time",
  catch_up: "Catch-up",
  manual: "Run now",
};

export const actionKindLabels: Record<ScheduleActionKind, string> = {
  run_task: "Give an agent a task",
  execute_pipeline: "Run a pipeline",
  send_notification: "Send a notification",
  call_api: "Call an API",
};

export const overlapLabels: Record<OverlapPolicy, string> = {
  skip: "Skip a fire while the previous one still runs",
  allow: "Allow fires to overlap",
  queue_one: "Queue one fire, skip the rest",
};

export const catchUpLabels: Record<CatchUpPolicy, string> = {
  skip: "Skip missed times",
  latest: "Fire once for the latest missed time",
  all: "Fire every missed time (up to a limit)",
};

export function isFireActive(status: FireStatus): boolean {
  return status === "waiting" || status === "queued" || status === "running";
}

/** A `schedule_fires.changed` payload, checked: events arrive as unknown JSON. */
export function fireChangeOf(payload: unknown): { scheduleId: string; fireId: string; status: FireStatus } | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { scheduleId, fireId, status } = payload as Record<string, unknown>;
  if (typeof scheduleId !== "string" || typeof fireId !== "string" || typeof status !== "string") return null;
  if (!Object.hasOwn(fireStatusLabels, status)) return null;
  return { scheduleId, fireId, status: status as FireStatus };
}

export function scheduleChangeOf(payload: unknown): { scheduleId: string; change: string } | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { scheduleId, change } = payload as Record<string, unknown>;
  if (typeof scheduleId !== "string" || typeof change !== "string") return null;
  return { scheduleId, change };
}

export const cronPresets = [
  { label: "Every 5 minutes", cron: "*/5 * * * *" },
  { label: "Every hour", cron: "0 * * * *" },
  { label: "Every day at 09:00", cron: "0 9 * * *" },
  { label: "Weekdays at 09:00", cron: "0 9 * * 1-5" },
  { label: "Mondays at 08:00", cron: "0 8 * * 1" },
  { label: "First of the month at 00:00", cron: "0 0 1 * *" },
] as const;

/** IANA time zones the browser knows; UTC first, since Intl leaves it out of its list. */
export function timeZoneNames(): string[] {
  const names = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...names.filter((name) => name !== "UTC")];
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

const weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const weekdayAliases: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const monthAliases: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

function ordinal(value: number): string {
  const suffix =
    value % 10 === 1 && value !== 11 ? "st" : value % 10 === 2 && value !== 12 ? "nd" : value % 10 === 3 && value !== 13 ? "rd" : "th";
  return `${value}${suffix}`;
}

/** One field's list ("1,15", "1-5", "*\/10") in words, with `name` turning a number into its word. */
function describeList(field: string, name: (value: number) => string, aliases: Record<string, number> = {}): string | null {
  const value = (text: string): number | null => {
    const lowered = text.toLowerCase();
    if (Object.hasOwn(aliases, lowered)) return aliases[lowered] ?? null;
    return /^\d+$/.test(text) ? Number(text) : null;
  };
  const parts = field.split(",").map((part) => {
    const [range, step] = part.split("/");
    if (!range) return null;
    if (range.includes("-")) {
      const [from, to] = range.split("-").map(value);
      if (from === null || to === null || from === undefined || to === undefined) return null;
      return step ? `every ${step} from ${name(from)} through ${name(to)}` : `${name(from)} through ${name(to)}`;
    }
    const single = value(range);
    if (single === null) return null;
    return step ? `every ${step} starting at ${name(single)}` : name(single);
  });
  if (parts.some((part) => part === null)) return null;
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : (parts[0] ?? null);
}

const pad = (value: number) => String(value).padStart(2, "0");

/**
 * "At 09:00 on Monday through Friday": a reading of the common forms; null for what it cannot put in
 * words (the preview of the next fire times is the authority either way).
 */
export function describeCron(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute = "", hour = "", dayOfMonth = "", month = "", dayOfWeek = ""] = fields;
  let time: string | null;
  const isNumber = (text: string) => /^\d+$/.test(text);
  if (minute === "*" && hour === "*") time = "Every minute";
  else if (/^\*\/\d+$/.test(minute) && hour === "*") time = `Every ${minute.slice(2)} minutes`;
  else if (isNumber(minute) && hour === "*")
    time = Number(minute) === 0 ? "Every hour, on the hour" : `Every hour at ${Number(minute)} past`;
  else if (isNumber(minute) && /^\*\/\d+$/.test(hour)) time = `Every ${hour.slice(2)} hours at ${pad(Number(minute))} past`;
  else if (isNumber(minute) && hour.split(",").every(isNumber)) {
    time = `At ${hour
      .split(",")
      .map((h) => `${pad(Number(h))}:${pad(Number(minute))}`)
      .join(", ")}`;
  } else {
    const minutes = minute === "*" ? "every minute" : describeList(minute, (value) => `minute ${value}`);
    const hours = hour === "*" ? "every hour" : describeList(hour, (value) => `${pad(value)}:00`);
    if (!minutes || !hours) return null;
    time = `At ${minutes} past ${hours}`;
  }
  const days: string[] = [];
  if (dayOfMonth !== "*") {
    const text = describeList(dayOfMonth, (value) => `the ${ordinal(value)}`);
    if (!text) return null;
    days.push(`on ${text}`);
  }
  if (dayOfWeek !== "*") {
    const text = describeList(dayOfWeek, (value) => weekdayNames[value] ?? String(value), weekdayAliases);
    if (!text) return null;
    days.push(`${dayOfMonth !== "*" ? "or " : ""}on ${text}`);
  }
  if (month !== "*") {
    const text = describeList(month, (value) => monthNames[value - 1] ?? String(value), monthAliases);
    if (!text) return null;
    days.push(`in ${text}`);
  }
  return [time, ...days].join(" ");
}

/** A fire time in the schedule's own zone, e.g. "Mon, 3 Mar 2025, 09:00 (Europe/Berlin)". */
export function formatInZone(value: Date, timeZone: string): string {
  try {
    return formatDateWith(value, {
      weekday: "short",
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone,
    });
  } catch {
    return value.toISOString();
  }
}

/** "in 3 min", "in 2 h", "5 min ago": how far a time is from now. */
export function formatRelative(value: Date, now: number): string {
  const deltaMs = value.getTime() - now;
  const minutes = Math.round(Math.abs(deltaMs) / 60_000);
  const text =
    minutes < 1
      ? "less than a minute"
      : minutes < 60
        ? `${minutes} min`
        : minutes < 48 * 60
          ? `${Math.round(minutes / 60)} h`
          : `${Math.round(minutes / 1_440)} days`;
  return deltaMs >= 0 ? `in ${text}` : `${text} ago`;
}
