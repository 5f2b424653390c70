"use client";
/**
 * Tokens (bars) and cost (line) per UTC day over the last two weeks, from usage.summary, drawn with
 * recharts. The chart is a picture for sighted users; the same numbers are in a table for assistive
 * technology (and for anyone who wants the figures), so the SVG itself is hidden from it.
 */
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EmptyState, ErrorState, LoadingState } from "~/components/feedback";
import { daysSince, formatDay, formatTokens, formatUsd } from "~/components/usage/shared";
import { OVERVIEW_USAGE_DAYS } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";

export function UsageOverTime({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const captionId = useId();
  const summary = useQuery(trpc.usage.summary.queryOptions({ projectId, days: OVERVIEW_USAGE_DAYS }));
  if (summary.isPending) return <LoadingState label="Loading usage…" />;
  if (summary.isError) return <ErrorState error={summary.error} onRetry={() => summary.refetch()} />;

  const perDay = new Map(daysSince(summary.data.since).map((day) => [day, { day, tokens: 0, costMicros: 0 }]));
  for (const row of summary.data.rows) {
    const entry = perDay.get(row.day);
    if (!entry) continue;
    entry.tokens += row.inputTokens + row.outputTokens;
    entry.costMicros += row.costMicros;
  }
  const data = [...perDay.values()];
  const { totals } = summary.data;
  const totalTokens = totals.inputTokens + totals.outputTokens;

  if (totalTokens === 0 && totals.costMicros === 0) {
    return (
      <EmptyState title="No model calls in the last 14 days">Chats, tasks and runs count here as soon as an agent answers.</EmptyState>
    );
  }
  return (
    <figure className="m-0 grid gap-3" aria-labelledby={captionId}>
      <p id={captionId} className="m-0 text-sm text-muted">
        <span className="font-semibold text-text">{formatTokens(totalTokens)}</span> tokens and{" "}
        <span className="font-semibold text-text">{formatUsd(totals.costMicros)}</span> over the last {OVERVIEW_USAGE_DAYS} days (UTC).
      </p>
      <div className="h-56 w-full" aria-hidden="true" data-testid="usage-over-time-chart">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid stroke="rgba(124, 134, 255, 0.12)" vertical={false} />
            <XAxis dataKey="day" tickFormatter={(day: string) => formatDay(day, "short")} stroke="#9aa0c3" fontSize={12} tickLine={false} />
            <YAxis yAxisId="tokens" stroke="#9aa0c3" fontSize={12} tickLine={false} width={56} allowDecimals={false} />
            <YAxis
              yAxisId="cost"
              orientation="right"
              stroke="#8b7cff"
              fontSize={12}
              tickLine={false}
              width={64}
              tickFormatter={(micros: number) => formatUsd(micros)}
            />
            <Tooltip
              contentStyle={{ background: "rgba(16,18,34,0.97)", border: "1px solid rgba(124,134,255,0.38)", borderRadius: 8 }}
              labelFormatter={(day) => formatDay(String(day))}
              formatter={(value, name) => (name === "Cost" ? formatUsd(Number(value)) : formatTokens(Number(value)))}
            />
            <Bar yAxisId="tokens" dataKey="tokens" name="Tokens" fill="rgba(124, 245, 210, 0.55)" radius={[4, 4, 0, 0]} />
            <Line yAxisId="cost" dataKey="costMicros" name="Cost" stroke="#8b7cff" strokeWidth={2} dot={false} type="monotone" />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <table className="visually-hidden">
        <caption>Tokens and cost per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Tokens</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {data.map((entry) => (
            <tr key={entry.day}>
              <th scope="row">{formatDay(entry.day)}</th>
              <td>{formatTokens(entry.tokens)}</td>
              <td>{formatUsd(entry.costMicros)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
