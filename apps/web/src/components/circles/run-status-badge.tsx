/** A circle run's status as a badge. */
import { type CircleRunStatus, runStatusBadges, runStatusLabels } from "./shared";

export function RunStatusBadge({ status }: { status: CircleRunStatus }) {
  return (
    <span className={runStatusBadges[status]} data-testid="circle-run-status">
      {runStatusLabels[status]}
    </span>
  );
}
