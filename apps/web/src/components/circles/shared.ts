/**
 * What the circle pages share: strategies, statuses and stop reasons as people read them. Each list is
 * typed by the API's own output, so a strategy or status added there fails to compile here.
 */
import type { RouterOutputs } from "@gathering/api";

export { formatUsd } from "@gathering/core/browser";

export type Circle = RouterOutputs["circles"]["get"];
export type CircleRunDetail = RouterOutputs["circles"]["getRun"];
export type CircleRunSummary = RouterOutputs["circles"]["listRuns"]["items"][number];
export type CircleStrategy = Circle["strategy"];
export type CircleRunStatus = CircleRunSummary["status"];
export type CircleStopReason = NonNullable<CircleRunSummary["stopReason"]>;

export const strategyLabels: Record<CircleStrategy, { label: string; description: string }> = {
  sequential: { label: "Sequential", description: "Each member once, in order, passing the work on; the last answer is the result." },
  round_robin: { label: "Round robin", description: "Members take turns in order until a termination rule stops the run." },
  selector: { label: "Selector", description: "A coordinator agent picks who speaks next from the members' roles." },
  hierarchical: {
    label: "Hierarchical",
    description: "A manager splits the task into subtasks on the board, delegates, reviews and synthesises.",
  },
  handoff: {
    label: "Handoff",
    description: "Members pass control explicitly with the handoff tool; a member who does not hand off ends the run.",
  },
};
export const strategies = Object.keys(strategyLabels) as CircleStrategy[];

export const runStatusLabels: Record<CircleRunStatus, string> = {
  running: "Running",
  paused: "Paused",
  succeeded: "Succeeded",
  stopped: "Stopped at a limit",
  failed: "Failed",
  cancelled: "Stopped by a person",
};

export const runStatusBadges: Record<CircleRunStatus, string> = {
  running: "badge badge-quiet",
  paused: "badge badge-warn",
  succeeded: "badge badge-ok",
  stopped: "badge",
  failed: "badge badge-bad",
  cancelled: "badge",
};

export const stopReasonLabels: Record<CircleStopReason, string> = {
  finished: "a member called finish",
  completion_phrase: "the completion phrase was said",
  sequence_complete: "every member had their turn",
  completed: "the work was completed",
  max_turns: "the turn limit",
  token_budget: "the token budget",
  cost_budget: "the cost budget",
  timeout: "the time limit",
  user_stop: "a person stopped it",
  error: "an error",
};

export function isRunLive(status: CircleRunStatus): boolean {
  return status === "running" || status === "paused";
}
