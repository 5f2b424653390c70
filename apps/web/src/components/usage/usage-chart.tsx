/**
 * Cost or tokens per day as a bar chart drawn with CSS: one bar per UTC day of the period, days without
 * calls included, the tallest bar at full height. Each bar says its day and amount on hover; the table
 * below has the same numbers for reading and for assistive technology.
 */
import { useId } from "react";
import { formatDay, formatTokens, formatUsd, type UsageRow } from "./shared";
import styles from "./usage.module.css";

export type ChartMetric = "cost" | "tokens";

export function UsageChart({ days, rows, metric }: { days: string[]; rows: UsageRow[]; metric: ChartMetric }) {
  const captionId = useId();
  const perDay = new Map<string, number>(days.map((day) => [day, 0]));
  for (const row of rows) {
    const amount = metric === "cost" ? row.costMicros : row.inputTokens + row.outputTokens;
    perDay.set(row.day, (perDay.get(row.day) ?? 0) + amount);
  }
  const format = (amount: number) => (metric === "cost" ? formatUsd(amount) : `${formatTokens(amount)} tokens`);
  const highest = Math.max(0, ...perDay.values());
  const first = days[0];
  const last = days.at(-1);

  return (
    <figure className={styles.chart} aria-labelledby={captionId}>
      <div className={styles.chartBody}>
        <div className={styles.chartScale} aria-hidden="true">
          <span>{format(highest)}</span>
          <span>{format(0)}</span>
        </div>
        <div className={styles.bars} data-testid="usage-chart">
          {days.map((day) => {
            const amount = perDay.get(day) ?? 0;
            const height = highest > 0 ? (amount / highest) * 100 : 0;
            const label = `${formatDay(day)}: ${format(amount)}`;
            return (
              <div key={day} className={styles.barSlot} title={label}>
                <div className={styles.bar} style={{ height: `${amount > 0 ? Math.max(height, 1.5) : 0}%` }} />
              </div>
            );
          })}
        </div>
      </div>
      {first && last ? (
        <div className={styles.chartAxis} aria-hidden="true">
          <span>{formatDay(first, "short")}</span>
          <span>{formatDay(last, "short")}</span>
        </div>
      ) : null}
      <figcaption id={captionId} className="visually-hidden">
        {metric === "cost" ? "Cost" : "Tokens"} per day
        {first && last ? ` from ${formatDay(first)} to ${formatDay(last)}` : ""}; the highest day: {format(highest)}.
      </figcaption>
    </figure>
  );
}
