/**
 * Dates, numbers and roles as people read them: in the reader's own locale and time zone, the same on the
 * server as in the browser (see DisplayFormatProvider), so a page rendered on the server hydrates as is.
 */
import type { ProjectRole } from "@gathering/api";
import { use } from "react";
import type { DisplayFormat } from "./display-format";
import { DisplayFormatContext } from "./display-format-provider";

/**
 * The page's locale and time zone while a component renders; null elsewhere (an event handler, a server
 * component), where this runtime's own apply.
 */
function displayFormat(): DisplayFormat | null {
  try {
    return use(DisplayFormatContext);
  } catch {
    return null;
  }
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** Date formatting in the page's locale and time zone (`options.timeZone` wins: a day in UTC, a fire in its zone). */
export function formatDateWith(value: Date, options: Intl.DateTimeFormatOptions): string {
  const format = displayFormat();
  const resolved = format ? { timeZone: format.timeZone, ...options } : options;
  const key = `${format?.locale ?? ""}|${JSON.stringify(resolved)}`;
  let formatter = dateFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(format?.locale, resolved);
    dateFormatters.set(key, formatter);
  }
  return formatter.format(value);
}

export function formatDateTime(value: Date | null | undefined, fallback = "—"): string {
  return value ? formatDateWith(value, { dateStyle: "medium", timeStyle: "short" }) : fallback;
}

export function formatDate(value: Date | null | undefined, fallback = "—"): string {
  return value ? formatDateWith(value, { dateStyle: "medium" }) : fallback;
}

/** The time of day, to the second. */
export function formatTime(value: Date): string {
  return formatDateWith(value, { timeStyle: "medium" });
}

/** A count as the reader writes numbers (1,234 or 1.234). */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return value.toLocaleString(displayFormat()?.locale, options);
}

/** Lowest to highest; the API's own order. */
export const projectRoles = ["viewer", "member", "admin", "owner"] as const satisfies readonly ProjectRole[];

export const roleLabels: Record<ProjectRole, string> = {
  viewer: "Viewer",
  member: "Member",
  admin: "Admin",
  owner: "Owner",
};

export function hasRole(role: ProjectRole, minRole: ProjectRole): boolean {
  return projectRoles.indexOf(role) >= projectRoles.indexOf(minRole);
}

/** Roles someone with `role` may hand out: never more than their own. */
export function grantableRoles(role: ProjectRole): { value: ProjectRole; label: string }[] {
  return projectRoles
    .filter((candidate) => hasRole(role, candidate))
    .map((candidate) => ({ value: candidate, label: roleLabels[candidate] }));
}
