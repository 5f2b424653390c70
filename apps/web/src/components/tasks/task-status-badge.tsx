/** A task's status as a badge: green when it succeeded, red when it failed, pulsing while it runs. */
import { type TaskStatus, taskStatusLabels } from "./shared";
import styles from "./tasks.module.css";

const badgeClasses: Record<TaskStatus, string> = {
  queued: "badge badge-quiet",
  running: `badge ${styles.running}`,
  waiting: "badge badge-warn",
  succeeded: "badge badge-ok",
  failed: "badge badge-bad",
  cancelled: "badge",
};

export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={badgeClasses[status]} data-testid="task-status">
      {taskStatusLabels[status]}
    </span>
  );
}
