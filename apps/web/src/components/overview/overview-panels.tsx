"use client";
/**
 * The overview's live panels for the current project: active runs (pipelines and circles), the failures
 * that need a look, the recent events as they arrive, tokens and cost over the last two weeks, and the
 * schedules that fire next. Everything stays current from the project's one event stream (no polling):
 * a run or schedule event refreshes exactly the queries it can change.
 */
import { type QueryKey, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRef, useState } from "react";
import { RunStatusBadge as CircleRunStatusBadge } from "~/components/circles/run-status-badge";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, LoadingState } from "~/components/feedback";
import { formatDateTime, formatTime } from "~/components/format";
import { RunStatusBadge } from "~/components/pipelines/run-status-badge";
import { shortId } from "~/components/pipelines/shared";
import { type ProjectEvent, useProjectEvents } from "~/components/project-events";
import { Panel } from "~/components/ui/panel";
import {
  OVERVIEW_LIMIT,
  overviewCircleRunsInput,
  overviewPipelineRunsInput,
  overviewRunLists,
  pipelineNamesInput,
} from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import { UsageOverTime } from "./usage-over-time";

const RECENT_EVENTS = 12;

export function OverviewPanels() {
  return <ProjectScope>{(project) => <ProjectOverview project={project} />}</ProjectScope>;
}

interface ReceivedEvent extends ProjectEvent {
  id: number;
  receivedAt: Date;
}

const topicLabels: Record<string, string> = {
  "pipeline_runs.changed": "Pipeline run",
  "pipeline_nodes.changed": "Pipeline step",
  "pipelines.changed": "Pipeline",
  "circle_runs.changed": "Circle run",
  "circle_messages.added": "Circle message",
  "circles.changed": "Circle",
  "schedules.changed": "Schedule",
  "schedule_fires.changed": "Schedule fire",
  "tasks.changed": "Task",
  "approvals.changed": "Approval",
  "memory.changed": "Agent memory",
  "workspace.changed": "Files",
  "notifications.changed": "Notification",
  "knowledge.changed": "Knowledge base",
  "knowledge_documents.changed": "Knowledge document",
  "chat.message": "Chat message",
};

/** "Pipeline run 1a2b3c4d: succeeded", from what the payload carries. */
function describeEvent({ topic, payload }: ProjectEvent): string {
  const label = topicLabels[topic] ?? topic;
  const fields = (typeof payload === "object" && payload !== null ? payload : {}) as Record<string, unknown>;
  const id = [fields.runId, fields.scheduleId, fields.pipelineId, fields.circleId, fields.taskId, fields.id].find(
    (value): value is string => typeof value === "string",
  );
  const state = [fields.status, fields.change].find((value): value is string => typeof value === "string");
  return `${label}${id ? ` ${shortId(id)}` : ""}${state ? `: ${state.replaceAll("_", " ")}` : ""}`;
}

/** Which cached queries an event can change; the overview refreshes those and nothing else. */
function affectedQueries(trpc: ReturnType<typeof useTRPC>, topic: string): QueryKey[] {
  if (topic === "pipeline_runs.changed") return [trpc.pipelines.listRuns.queryKey(), trpc.usage.summary.queryKey()];
  if (topic === "circle_runs.changed") return [trpc.circles.listRuns.queryKey(), trpc.usage.summary.queryKey()];
  if (topic === "schedules.changed" || topic === "schedule_fires.changed") return [trpc.schedules.upcoming.queryKey()];
  if (topic === "chat.message" || topic === "tasks.changed") return [trpc.usage.summary.queryKey()];
  if (topic === "pipelines.changed") return [trpc.pipelines.list.queryKey()];
  return [];
}

function ProjectOverview({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<ReceivedEvent[]>([]);
  const eventCount = useRef(0);

  useProjectEvents(project.id, {
    onStarted: () => {
      for (const queryKey of [
        trpc.pipelines.listRuns.queryKey(),
        trpc.circles.listRuns.queryKey(),
        trpc.schedules.upcoming.queryKey(),
        trpc.usage.summary.queryKey(),
      ]) {
        void queryClient.invalidateQueries({ queryKey });
      }
    },
    onData: (event) => {
      eventCount.current += 1;
      const received = { ...event, id: eventCount.current, receivedAt: new Date() };
      setEvents((current) => [received, ...current].slice(0, RECENT_EVENTS));
      for (const queryKey of affectedQueries(trpc, event.topic)) void queryClient.invalidateQueries({ queryKey });
    },
  });

  return (
    <div className="mt-6 grid gap-4 [grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr))]">
      <ActiveRuns project={project} />
      <Failures project={project} />
      <Panel title="Tokens and cost, last 14 days" className="[grid-column:1/-1]" action={<Link href="/usage">Usage</Link>}>
        <UsageOverTime projectId={project.id} />
      </Panel>
      <RecentEvents events={events} />
      <UpcomingSchedules project={project} />
    </div>
  );
}

function usePipelineNames(projectId: string): Map<string, string> {
  const trpc = useTRPC();
  const pipelines = useQuery(trpc.pipelines.list.queryOptions(pipelineNamesInput(projectId)));
  return new Map((pipelines.data?.items ?? []).map((pipeline) => [pipeline.id, pipeline.name]));
}

function RunLists({
  project,
  pipelineStatus,
  circleStatuses,
  empty,
}: {
  project: AccountProject;
  pipelineStatus: "running" | "failed";
  circleStatuses: readonly ("running" | "paused" | "failed")[];
  empty: string;
}) {
  const trpc = useTRPC();
  const names = usePipelineNames(project.id);
  const pipelineRuns = useQuery(trpc.pipelines.listRuns.queryOptions(overviewPipelineRunsInput(project.id, pipelineStatus)));
  const circleRuns = useQuery(trpc.circles.listRuns.queryOptions(overviewCircleRunsInput(project.id, circleStatuses)));
  if (pipelineRuns.isPending || circleRuns.isPending) return <LoadingState label="Loading runs…" />;
  if (pipelineRuns.isError) return <ErrorState error={pipelineRuns.error} onRetry={() => pipelineRuns.refetch()} />;
  if (circleRuns.isError) return <ErrorState error={circleRuns.error} onRetry={() => circleRuns.refetch()} />;
  const pipelineItems = pipelineRuns.data.items;
  const circleItems = circleRuns.data.items;
  if (pipelineItems.length === 0 && circleItems.length === 0) return <EmptyState title={empty} />;
  return (
    <ul className="m-0 grid list-none gap-2 p-0">
      {pipelineItems.map((run) => (
        <li key={run.id} className="flex items-center justify-between gap-3 rounded-control border border-line px-3 py-2">
          <span className="min-w-0 truncate">
            <Link href={`/runs/${run.id}`}>{names.get(run.pipelineId) ?? "Pipeline"}</Link>{" "}
            <span className="font-mono text-xs text-muted">{shortId(run.id)}</span>
          </span>
          <span className="flex shrink-0 items-center gap-2 text-xs text-muted">
            {formatDateTime(run.startedAt ?? run.createdAt)}
            <RunStatusBadge status={run.status} />
          </span>
        </li>
      ))}
      {circleItems.map((run) => (
        <li key={run.id} className="flex items-center justify-between gap-3 rounded-control border border-line px-3 py-2">
          <span className="min-w-0 truncate">
            <Link href={`/circles/runs/${run.id}`}>{run.task.length > 60 ? `${run.task.slice(0, 60)}…` : run.task}</Link>{" "}
            <span className="text-xs text-muted">circle</span>
          </span>
          <span className="flex shrink-0 items-center gap-2 text-xs text-muted">
            {formatDateTime(run.createdAt)}
            <CircleRunStatusBadge status={run.status} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function ActiveRuns({ project }: { project: AccountProject }) {
  return (
    <Panel title="Active runs" action={<Link href="/runs">All runs</Link>}>
      <RunLists project={project} {...overviewRunLists.active} empty="Nothing is running" />
    </Panel>
  );
}

function Failures({ project }: { project: AccountProject }) {
  return (
    <Panel title="Failures needing attention">
      <RunLists project={project} {...overviewRunLists.failed} empty="No failed runs" />
    </Panel>
  );
}

function RecentEvents({ events }: { events: ReceivedEvent[] }) {
  return (
    <Panel title="Recent events">
      {events.length === 0 ? (
        <EmptyState title="Listening…">Runs, schedules, tasks and files report here as they change.</EmptyState>
      ) : null}
      {/* A log: new entries are announced politely, old ones are not read again. */}
      <ol className="m-0 grid list-none gap-1 p-0 text-sm" role="log" aria-label="Recent events" aria-live="polite">
        {events.map((event) => (
          <li
            key={event.id}
            className="flex justify-between gap-3 border-line border-b py-1.5 last:border-b-0"
            data-testid="overview-event"
          >
            <span className="min-w-0 truncate">{describeEvent(event)}</span>
            <time className="shrink-0 text-xs text-muted" dateTime={event.receivedAt.toISOString()}>
              {formatTime(event.receivedAt)}
            </time>
          </li>
        ))}
      </ol>
    </Panel>
  );
}

function UpcomingSchedules({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const upcoming = useQuery(trpc.schedules.upcoming.queryOptions({ projectId: project.id, limit: OVERVIEW_LIMIT }));
  return (
    <Panel title="Schedules due next" action={<Link href="/schedules">All schedules</Link>}>
      {upcoming.isPending ? (
        <LoadingState label="Loading schedules…" />
      ) : upcoming.isError ? (
        <ErrorState error={upcoming.error} onRetry={() => upcoming.refetch()} />
      ) : upcoming.data.length === 0 ? (
        <EmptyState title="Nothing scheduled" />
      ) : (
        <ul className="m-0 grid list-none gap-2 p-0">
          {upcoming.data.map((schedule) => (
            <li key={schedule.id} className="flex items-center justify-between gap-3 rounded-control border border-line px-3 py-2">
              <Link href={`/schedules/${schedule.id}`} className="min-w-0 truncate">
                {schedule.name}
              </Link>
              <span className="shrink-0 text-xs text-muted">{formatDateTime(schedule.nextFireAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
