"use client";
/**
 * /usage: the project's model calls over a period (7, 30 or 90 days): totals, a bar chart per day and a
 * table by day and model; below, the daily budgets and price overrides (./usage-settings.tsx).
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, LoadingState } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { useTRPC } from "~/trpc/react";
import { daysSince, formatDay, formatTokens, formatUsd, type UsageRow, type UsageSummary } from "./shared";
import styles from "./usage.module.css";
import { type ChartMetric, UsageChart } from "./usage-chart";
import { UsageSettingsSection } from "./usage-settings";

const periods = [
  { value: "7", label: "Last 7 days" },
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
] as const;
type Period = (typeof periods)[number]["value"];

export function UsageView() {
  return <ProjectScope>{(project) => <ProjectUsage project={project} />}</ProjectScope>;
}

function ProjectUsage({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const [period, setPeriod] = useState<Period>("30");
  // The previous period stays on screen while the next one loads, instead of a flash of "Loading".
  const summary = useQuery(
    trpc.usage.summary.queryOptions({ projectId: project.id, days: Number(period) }, { placeholderData: keepPreviousData }),
  );

  return (
    <>
      <section className="section" aria-labelledby="usage-heading">
        <div className="section-header">
          <h2 id="usage-heading">Model calls of {project.name}</h2>
          <div className={styles.period}>
            <SelectField label="Period" value={period} options={periods} onChange={setPeriod} />
          </div>
        </div>
        {summary.isPending ? (
          <LoadingState label="Loading usage…" />
        ) : summary.isError ? (
          <ErrorState error={summary.error} onRetry={() => summary.refetch()} />
        ) : (
          <UsageReport summary={summary.data} isRefreshing={summary.isPlaceholderData} />
        )}
      </section>
      <UsageSettingsSection project={project} usageRows={summary.data?.rows ?? []} />
    </>
  );
}

function UsageReport({ summary, isRefreshing }: { summary: UsageSummary; isRefreshing: boolean }) {
  const { totals, rows } = summary;
  const metricGroupId = useId();
  // Offline and self-hosted models cost nothing: then tokens are the more telling picture.
  const [chosenMetric, setChosenMetric] = useState<ChartMetric | null>(null);
  const metric = chosenMetric ?? (totals.costMicros > 0 ? "cost" : "tokens");
  const days = daysSince(summary.since);

  return (
    <div aria-busy={isRefreshing}>
      <section className={styles.totals} aria-label="Totals for the period">
        <article className="panel">
          <h3 className={styles.totalLabel}>Cost</h3>
          <p className="stat" data-testid="usage-total-cost">
            {formatUsd(totals.costMicros)}
          </p>
        </article>
        <article className="panel">
          <h3 className={styles.totalLabel}>Tokens</h3>
          <p className="stat" data-testid="usage-total-tokens">
            {formatTokens(totals.inputTokens + totals.outputTokens)}
          </p>
          <p className="muted">
            {formatTokens(totals.inputTokens)} in / {formatTokens(totals.outputTokens)} out
          </p>
        </article>
        <article className="panel">
          <h3 className={styles.totalLabel}>Model calls</h3>
          <p className="stat" data-testid="usage-total-calls">
            {formatTokens(totals.calls)}
          </p>
        </article>
      </section>

      {rows.length === 0 ? (
        <EmptyState title="No model calls in this period">Chats and tasks count here as soon as an agent answers.</EmptyState>
      ) : (
        <>
          <div className={`panel ${styles.chartPanel}`}>
            <div className="section-header">
              <h3 id={`${metricGroupId}-heading`} className={styles.totalLabel}>
                {metric === "cost" ? "Cost" : "Tokens"} per day
              </h3>
              <fieldset className={styles.metricSwitch}>
                <legend className="visually-hidden">Chart shows</legend>
                {(["cost", "tokens"] as const).map((value) => (
                  <label key={value} className={styles.metricOption}>
                    <input
                      type="radio"
                      name={`${metricGroupId}-metric`}
                      value={value}
                      checked={metric === value}
                      onChange={() => setChosenMetric(value)}
                    />
                    {value === "cost" ? "Cost" : "Tokens"}
                  </label>
                ))}
              </fieldset>
            </div>
            <UsageChart days={days} rows={rows} metric={metric} />
          </div>
          <UsageTable rows={rows} totals={totals} />
        </>
      )}
    </div>
  );
}

function UsageTable({ rows, totals }: { rows: UsageRow[]; totals: UsageSummary["totals"] }) {
  // Newest day first; within a day, the costliest model first.
  const sorted = [...rows].sort((a, b) => b.day.localeCompare(a.day) || b.costMicros - a.costMicros || a.model.localeCompare(b.model));
  return (
    <div className={`table-wrap ${styles.tableWrap}`}>
      <table className="table" aria-label="Usage by day and model">
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Model</th>
            <th scope="col" className={styles.numeric}>
              Calls
            </th>
            <th scope="col" className={styles.numeric}>
              Input tokens
            </th>
            <th scope="col" className={styles.numeric}>
              Output tokens
            </th>
            <th scope="col" className={styles.numeric}>
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={`${row.day}:${row.provider}:${row.model}`} data-testid="usage-row">
              <th scope="row" className="nowrap">
                <time dateTime={row.day}>{formatDay(row.day)}</time>
              </th>
              <td className="mono">{`${row.provider}:${row.model}`}</td>
              <td className={styles.numeric}>{formatTokens(row.calls)}</td>
              <td className={styles.numeric}>{formatTokens(row.inputTokens)}</td>
              <td className={styles.numeric}>{formatTokens(row.outputTokens)}</td>
              <td className={styles.numeric}>{formatUsd(row.costMicros)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td className={styles.numeric}>{formatTokens(totals.calls)}</td>
            <td className={styles.numeric}>{formatTokens(totals.inputTokens)}</td>
            <td className={styles.numeric}>{formatTokens(totals.outputTokens)}</td>
            <td className={styles.numeric}>{formatUsd(totals.costMicros)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
