/** Dates and roles as people read them, in their own locale. */
import type { ProjectRole } from "@gathering/api";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatDateTime(value: Date | null | undefined, fallback = "—"): string {
  return value ? dateTime.format(value) : fallback;
}

export function formatDate(value: Date | null | undefined, fallback = "—"): string {
  return value ? dateOnly.format(value) : fallback;
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
