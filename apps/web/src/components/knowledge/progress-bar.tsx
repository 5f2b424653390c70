/**
 * A determinate progress bar with its value in words beside it: the bar repeats the text for the eye,
 * assistive technology reads the role and values, and a failed bar says so in words, not in red only.
 */
import styles from "./knowledge.module.css";

interface ProgressBarProps {
  /** What is progressing, e.g. "Indexing guide.md". */
  label: string;
  /** Done so far, between 0 and `max`; null while the total is not known yet. */
  value: number | null;
  max?: number;
  /** The words shown beside the bar, e.g. "12 of 40 chunks". */
  valueText: string;
  isFailed?: boolean;
}

export function ProgressBar({ label, value, max = 1, valueText, isFailed = false }: ProgressBarProps) {
  const fraction = value === null || max <= 0 ? 0 : Math.min(1, Math.max(0, value / max));
  return (
    <>
      <span
        className={`${styles.progress}${isFailed ? ` ${styles.progressFailed}` : ""}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value === null ? undefined : Math.round(fraction * 100)}
        aria-valuetext={valueText}
      >
        <span className={styles.progressBar} style={{ width: `${Math.round(fraction * 100)}%` }} />
      </span>
      <span className={styles.progressText}>{valueText}</span>
    </>
  );
}
