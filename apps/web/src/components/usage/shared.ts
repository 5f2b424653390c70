/**
 * What the usage pages share: the summary's types, the days of a period, and the browser-safe pieces of
 * core (`@gathering/core/browser`; the whole core index would pull the database driver into the bundle).
 */
import type { RouterOutputs } from "@gathering/api";
import { formatDateWith, formatNumber } from "../format";

export { formatUsd, type ModelPrice, modelProviders, ZModelPrice } from "@gathering/core/browser";

export type UsageSummary = RouterOutputs["usage"]["summary"];
export type UsageRow = UsageSummary["rows"][number];
export type UsageSettings = RouterOutputs["usage"]["settings"];

const DAY_MS = 86_400_000;

/** A UTC day as the API writes it: `YYYY-MM-DD`. */
export function utcDayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Every UTC day from `since` to today, oldest first, so days without calls show as empty. */
export function daysSince(since: Date, now: Date = new Date()): string[] {
  const days: string[] = [];
  for (let time = since.getTime(); utcDayOf(new Date(time)) <= utcDayOf(now); time += DAY_MS) days.push(utcDayOf(new Date(time)));
  return days;
}

export function formatDay(day: string, style: "short" | "long" = "long"): string {
  const date = new Date(`${day}T00:00:00Z`);
  // Days are UTC days (the budgets renew at UTC midnight), so they are written in UTC too.
  return formatDateWith(
    date,
    style === "short" ? { month: "short", day: "numeric", timeZone: "UTC" } : { dateStyle: "medium", timeZone: "UTC" },
  );
}

export function formatTokens(tokens: number): string {
  return formatNumber(tokens);
}
