"use client";
/**
 * /runs: every run of the project's pipelines, searched (pipeline name or run id) and filtered by pipeline and
 * status on the server, paged with "Load more", live.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { formatDateTime, formatNumber } from "~/components/format";
import { Button } from "~/components/ui/button";
import { ListToolbar, PagedTable, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { ALL, pipelineNamesInput, pipelineRunsPageInput, type RunsFilter } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import styles from "./pipelines.module.css";
import { RunStatusBadge } from "./run-status-badge";
import { durationBetween, formatDuration, formatUsd, type PipelineRun, runStatuses, runStatusLabels, shortId } from "./shared";
import { useLivePipelines } from "./use-live-pipelines";

export function RunsList({ initialPipelineId }: { initialPipelineId?: string | undefined }) {
  return <ProjectScope>{(project) => <ProjectRuns project={project} initialPipelineId={initialPipelineId} />}</ProjectScope>;
}

function ProjectRuns({ project, initialPipelineId }: { project: AccountProject; initialPipelineId?: string | undefined }) {
  const trpc = useTRPC();
  useLivePipelines(project.id);
  const pipelines = useQuery(trpc.pipelines.list.queryOptions(pipelineNamesInput(project.id)));
  const pipelineList = pipelines.data?.items ?? [];
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  const [pipelineId, setPipelineId] = useState<RunsFilter["pipelineId"]>(initialPipelineId ?? ALL);
  const [status, setStatus] = useState<RunsFilter["status"]>(ALL);
  const list = usePagedList<PipelineRun>(
    `${pipelineId}:${status}:${search}`,
    (cursor) => trpc.pipelines.listRuns.queryOptions(pipelineRunsPageInput(project.id, { search, pipelineId, status }, cursor)),
    (run) => run.id,
  );
  const names = new Map(pipelineList.map((pipeline) => [pipeline.id, pipeline.name]));
  const pipelineOptions = [
    { value: ALL, label: "All pipelines" },
    ...pipelineList.map((pipeline) => ({ value: pipeline.id, label: pipeline.name })),
  ];
  // A pipeline chosen by a link that the list has not loaded still needs an option.
  if (pipelineId !== ALL && !names.has(pipelineId)) pipelineOptions.push({ value: pipelineId, label: "The chosen pipeline" });
  const filterSummary = [
    search ? `matching “${search}”` : null,
    pipelineId !== ALL ? `of “${names.get(pipelineId) ?? "the chosen pipeline"}”` : null,
    status !== ALL ? `with status ${runStatusLabels[status]}` : null,
  ]
    .filter(Boolean)
    .join(", ");

  return (
    <section className="section" aria-labelledby="runs-heading">
      <div className="section-header">
        <h2 id="runs-heading">Runs of {project.name}</h2>
        <Button asChild>
          <Link href="/pipelines">Pipelines</Link>
        </Button>
      </div>
      <div className={styles.filters}>
        <SelectField label="Filter by pipeline" value={pipelineId} options={pipelineOptions} onChange={setPipelineId} />
        <SelectField<RunsFilter["status"]>
          label="Filter by status"
          value={status}
          options={[{ value: ALL, label: "All statuses" }, ...runStatuses.map((value) => ({ value, label: runStatusLabels[value] }))]}
          onChange={setStatus}
        />
      </div>
      <ListToolbar searchLabel="Search runs" placeholder="Search by pipeline name or run id" value={searchText} onChange={setSearchText} />
      <PagedTable
        list={list}
        label="Runs"
        noun={{ one: "run", other: "runs" }}
        columns={[
          { header: "Run" },
          { header: "Pipeline" },
          { header: "Status" },
          { header: "Started" },
          { header: "Duration" },
          { header: "Tokens", className: styles.numeric },
          { header: "Cost", className: styles.numeric },
        ]}
        rowKey={(run) => run.id}
        rowTestId="run-row"
        isFiltered={filterSummary !== ""}
        filterSummary={filterSummary}
        emptyFiltered={<EmptyState title="No runs match">Try other words, another pipeline or status.</EmptyState>}
        empty={
          <EmptyState title="No runs yet">
            Start one with “Run” on a <Link href="/pipelines">pipeline</Link>.
          </EmptyState>
        }
        renderRow={(run) => <RunCells run={run} names={names} />}
      />
    </section>
  );
}

function RunCells({ run, names }: { run: PipelineRun; names: Map<string, string> }) {
  return (
    <>
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
      <td className={`${styles.numeric} nowrap`}>{formatNumber(run.inputTokens + run.outputTokens)}</td>
      <td className={`${styles.numeric} nowrap`}>{formatUsd(run.costMicros)}</td>
    </>
  );
}
