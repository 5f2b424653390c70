/** A fire's status as a badge: green when it succeeded, red when it failed, pulsing while it runs. */

import styles from "./schedules.module.css";
import { type FireStatus, fireStatusLabels } from "./shared";

const badgeClasses: Record<FireStatus, string> = {
  waiting: "badge badge-warn",
  queued: "badge badge-quiet",
  running: `badge ${styles.running}`,
  succeeded: "badge badge-ok",
  failed: "badge badge-bad",
  skipped: "badge",
};

export function FireStatusBadge({ status }: { status: FireStatus }) {
  return (
    <span className={badgeClasses[status]} data-testid="fire-status">
      {fireStatusLabels[status]}
    </span>
  );
}
