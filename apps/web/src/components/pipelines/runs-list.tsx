"use client";
/** /runs: every run of the project's pipelines, filtered by pipeline and status on the server, paged with "Load more", live. */
import { useQueries, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, LoadingState } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { formatDateTime } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./pipelines.module.css";
import { RunStatusBadge } from "./run-status-badge";
import {
  durationBetween,
  formatDuration,
  formatUsd,
  type PipelineRun,
  type RunStatus,
  runStatuses,
  runStatusLabels,
  shortId,
} from "./shared";
import { useLivePipelines } from "./use-live-pipelines";

const PAGE_SIZE = 20;
const PIPELINES_LIMIT = 100;
const ALL = "all";

export function RunsList({ initialPipelineId }: { initialPipelineId?: string | undefined }) {
  return <ProjectScope>{(project) => <ProjectRuns project={project} initialPipelineId={initialPipelineId} />}</ProjectScope>;
}

function ProjectRuns({ project, initialPipelineId }: { project: AccountProject; initialPipelineId?: string | undefined }) {
  const trpc = useTRPC();
  useLivePipelines(project.id);
  // Archived pipelines too: their runs still need a name.
  const pipelines = useQuery(trpc.pipelines.list.queryOptions({ projectId: project.id, includeArchived: true, limit: PIPELINES_LIMIT }));
  const pipelineList = pipelines.data?.items ?? [];
  const [pipelineId, setPipelineId] = useState<string>(initialPipelineId ?? ALL);
  const [status, setStatus] = useState<RunStatus | typeof ALL>(ALL);
  const filterKey = `${pipelineId}:${status}`;
  const [paging, setPaging] = useState<{ filterKey: string; cursors: (string | undefined)[] }>({ filterKey, cursors: [undefined] });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [undefined];
  const pages = useQueries({
    queries: cursors.map((cursor) =>
      trpc.pipelines.listRuns.queryOptions({
        projectId: project.id,
        limit: PAGE_SIZE,
        ...(pipelineId === ALL ? {} : { pipelineId }),
        ...(status === ALL ? {} : { status }),
        ...(cursor ? { cursor } : {}),
      }),
    ),
  });
  const firstPage = pages[0];
  const lastPage = pages.at(-1);
  const seen = new Set<string>();
  const runs = pages
    .flatMap((page) => page.data?.items ?? [])
    .filter((run) => {
      if (seen.has(run.id)) return false;
      seen.add(run.id);
      return true;
    });
  const nextCursor = lastPage?.data?.nextCursor ?? null;
  const names = new Map(pipelineList.map((pipeline) => [pipeline.id, pipeline.name]));
  const isFiltered = pipelineId !== ALL || status !== ALL;
  const pipelineOptions = [
    { value: ALL, label: "All pipelines" },
    ...pipelineList.map((pipeline) => ({ value: pipeline.id, label: pipeline.name })),
  ];
  // A pipeline chosen by a link that the list has not loaded still needs an option.
  if (pipelineId !== ALL && !names.has(pipelineId)) pipelineOptions.push({ value: pipelineId, label: "The chosen pipeline" });

  return (
    <section className="section" aria-labelledby="runs-heading">
      <div className="section-header">
        <h2 id="runs-heading">Runs of {project.name}</h2>
        <Link href="/pipelines" className="button button-secondary">
          Pipelines
        </Link>
      </div>
      <div className={styles.filters}>
        <SelectField label="Filter by pipeline" value={pipelineId} options={pipelineOptions} onChange={setPipelineId} />
        <SelectField<RunStatus | typeof ALL>
          label="Filter by status"
          value={status}
          options={[{ value: ALL, label: "All statuses" }, ...runStatuses.map((value) => ({ value, label: runStatusLabels[value] }))]}
          onChange={setStatus}
        />
      </div>
      {!firstPage || firstPage.isPending ? (
        <LoadingState label="Loading runs…" />
      ) : firstPage.isError ? (
        <ErrorState error={firstPage.error} onRetry={() => firstPage.refetch()} />
      ) : runs.length === 0 ? (
        isFiltered ? (
          <EmptyState title="No runs match">Try another pipeline or status.</EmptyState>
        ) : (
          <EmptyState title="No runs yet">
            Start one with “Run” on a <Link href="/pipelines">pipeline</Link>.
          </EmptyState>
        )
      ) : (
        <>
          <RunsTable runs={runs} names={names} />
          <div className="load-more">
            {lastPage?.isError ? <p className="inline-error">{errorMessage(lastPage.error)}</p> : null}
            {lastPage?.isFetching && cursors.length > 1 && !lastPage.data ? (
              <LoadingState label="Loading more runs…" />
            ) : nextCursor !== null ? (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => setPaging({ filterKey, cursors: [...cursors, nextCursor] })}
              >
                Load more
              </button>
            ) : (
              <p className="muted">
                {runs.length} run{runs.length === 1 ? "" : "s"}
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function RunsTable({ runs, names }: { runs: PipelineRun[]; names: Map<string, string> }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Pipeline</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col" className={styles.numeric}>
              Tokens
            </th>
            <th scope="col" className={styles.numeric}>
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-testid="run-row">
              <th scope="row" className="nowrap">
                <Link href={`/runs/${run.id}`} className="mono" aria-label={`Run ${shortId(run.id)}`}>
                  {shortId(run.id)}
                </Link>
                {run.origin.kind !== "user" ? <span className="badge badge-quiet">{run.origin.kind}</span> : null}
              </th>
              <td className="cell-wrap">
                {names.get(run.pipelineId) ?? "Unknown pipeline"} <span className="muted">v{run.version}</span>
              </td>
              <td>
                <RunStatusBadge status={run.status} />
              </td>
              <td className="nowrap">{formatDateTime(run.startedAt ?? run.createdAt)}</td>
              <td className="nowrap">
                {run.finishedAt ? formatDuration(durationBetween(run.startedAt ?? run.createdAt, run.finishedAt, 0)) : "—"}
              </td>
              <td className={`${styles.numeric} nowrap`}>{(run.inputTokens + run.outputTokens).toLocaleString()}</td>
              <td className={`${styles.numeric} nowrap`}>{formatUsd(run.costMicros)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
