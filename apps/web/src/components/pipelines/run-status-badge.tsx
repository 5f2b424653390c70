/** A run's status as a badge: green when it succeeded, red when it failed, pulsing while it runs. */
import styles from "./pipelines.module.css";
import { type RunStatus, runStatusLabels } from "./shared";

const badgeClasses: Record<RunStatus, string> = {
  running: `badge ${styles.runningBadge}`,
  succeeded: "badge badge-ok",
  failed: "badge badge-bad",
  cancelled: "badge",
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={badgeClasses[status]} data-testid="run-status-badge">
      {runStatusLabels[status]}
    </span>
  );
}
