/**
 * What the pipeline pages share: the API's types, statuses and node types as people read them, event
 * payloads checked, and small formatters. Only `@gathering/core/browser` is imported from core (the
 * whole core index would pull the database driver into the bundle).
 */
import type { RouterOutputs } from "@gathering/api";
import type { PipelineNodeType } from "@gathering/core/browser";

export { formatUsd } from "@gathering/core/browser";

export type Pipeline = RouterOutputs["pipelines"]["list"]["items"][number];
export type PipelineDetail = RouterOutputs["pipelines"]["get"];
export type PipelineRun = RouterOutputs["pipelines"]["listRuns"]["items"][number];
export type RunDetail = RouterOutputs["pipelines"]["getRun"];
export type NodeRun = RunDetail["nodes"][number];
export type RunStatus = PipelineRun["status"];
export type NodeStatus = NodeRun["status"];

export const runStatusLabels: Record<RunStatus, string> = {
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};
export const runStatuses = Object.keys(runStatusLabels) as RunStatus[];

export const nodeStatusLabels: Record<NodeStatus, string> = {
  pending: "Pending",
  queued: "Queued",
  running: "Running",
  waiting: "Waiting",
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped",
  cancelled: "Cancelled",
};

export const nodeTypeLabels: Record<PipelineNodeType, string> = {
  agent: "Agent",
  tool: "Tool",
  condition: "Condition",
  transform: "Transform",
  http: "HTTP request",
  delay: "Delay",
  approval: "Approval",
  subpipeline: "Sub-pipeline",
  map: "Map",
};

export const nodeTypeDescriptions: Record<PipelineNodeType, string> = {
  agent: "An agent works on a prompt",
  tool: "Calls one tool",
  condition: "Branches on an expression",
  transform: "Reshapes data with an expression",
  http: "Calls a URL (guarded)",
  delay: "Waits a while",
  approval: "Waits for a person to decide",
  subpipeline: "Runs another pipeline",
  map: "Runs a pipeline per list item",
};

export function isNodeType(value: unknown): value is PipelineNodeType {
  return typeof value === "string" && Object.hasOwn(nodeTypeLabels, value);
}

/** An event's payload arrives as unknown JSON; these check it. */
export function runChangeOf(payload: unknown): { runId: string; pipelineId: string; status: RunStatus } | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { runId, pipelineId, status } = payload as Record<string, unknown>;
  if (typeof runId !== "string" || typeof pipelineId !== "string" || typeof status !== "string") return null;
  if (!Object.hasOwn(runStatusLabels, status)) return null;
  return { runId, pipelineId, status: status as RunStatus };
}

export function nodeChangeOf(payload: unknown): { runId: string; nodeId: string; status: NodeStatus; attempts: number } | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { runId, nodeId, status, attempts } = payload as Record<string, unknown>;
  if (typeof runId !== "string" || typeof nodeId !== "string" || typeof status !== "string" || typeof attempts !== "number") return null;
  if (!Object.hasOwn(nodeStatusLabels, status)) return null;
  return { runId, nodeId, status: status as NodeStatus, attempts };
}

export function isNodeFinished(status: NodeStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "skipped" || status === "cancelled";
}

/** "850 ms", "12.4 s", "3 min 05 s", "2 h 10 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 3_600) return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(totalSeconds / 3_600)} h ${Math.floor((totalSeconds % 3_600) / 60)} min`;
}

/** From start to end, or to `now` while it has not ended (null: no clock yet, see useClock). */
export function durationBetween(start: Date | null, end: Date | null, now: number | null): number | null {
  if (!start || (!end && now === null)) return null;
  // The clock may lag a node that started after it last ticked; a duration is never negative.
  return Math.max(0, (end ? end.getTime() : (now ?? 0)) - start.getTime());
}

/** The first eight characters of an id: enough to tell runs apart in a table. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function toJsonText(value: unknown): string {
  if (value === undefined) return "";
  try {
    return JSON.stringify(value, null, 2) ?? "";
  } catch {
    return String(value);
  }
}

/** Starts a download of `value` as a JSON file, without a server round-trip. */
export function downloadJson(fileName: string, value: unknown): void {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** "Nightly report" → "nightly-report.pipeline.json". */
export function exportFileName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug || "pipeline"}.pipeline.json`;
}
