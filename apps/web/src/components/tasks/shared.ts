/**
 * What the task pages share: the statuses as people read them, and the browser-safe pieces of core
 * (`@gathering/core/browser`; the whole core index would pull the database driver into the bundle).
 * The status list is typed by the API's own output, so a status added there fails to compile here.
 */
import type { RouterOutputs } from "@gathering/api";

export { formatUsd } from "@gathering/core/browser";

export type Task = RouterOutputs["tasks"]["get"];
export type TaskStatus = Task["status"];

export const taskStatusLabels: Record<TaskStatus, string> = {
  queued: "Queued",
  running: "Running",
  waiting: "Waiting for approval",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const taskStatuses = Object.keys(taskStatusLabels) as TaskStatus[];

export function isTaskActive(status: TaskStatus): boolean {
  return status === "queued" || status === "running";
}

/** A `tasks.changed` event's payload, checked: events arrive as unknown JSON. */
export function taskChangeOf(payload: unknown): { taskId: string; agentId: string; status: TaskStatus } | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { taskId, agentId, status } = payload as Record<string, unknown>;
  if (typeof taskId !== "string" || typeof agentId !== "string" || typeof status !== "string") return null;
  if (!Object.hasOwn(taskStatusLabels, status)) return null;
  return { taskId, agentId, status: status as TaskStatus };
}
