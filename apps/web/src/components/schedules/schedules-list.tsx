"use client";
/**
 * /schedules: the project's schedules, searched and paged on the server (the shared paged table), each with its next fire
 * time, whether it is active or paused, and how its last fire went; per row pause or resume, run now
 * and delete (behind a confirmation). Live from `schedules.changed` and `schedule_fires.changed`.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { ListToolbar, PagedTable, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { toast } from "~/components/ui/toast";
import { useClock } from "~/components/use-clock";
import { errorMessage } from "~/trpc/errors";
import { lastFireInput, schedulesPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import { FireStatusBadge } from "./fire-status-badge";
import styles from "./schedules.module.css";
import { actionKindLabels, describeCron, formatRelative, type Schedule } from "./shared";
import { useLiveSchedules } from "./use-live-schedules";

export function SchedulesList() {
  return <ProjectScope>{(project) => <ProjectSchedules project={project} />}</ProjectScope>;
}

function ProjectSchedules({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  useLiveSchedules(project.id);
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  const list = usePagedList<Schedule>(
    search,
    (cursor) => trpc.schedules.list.queryOptions(schedulesPageInput(project.id, search, cursor)),
    (schedule) => schedule.id,
  );
  const canEdit = hasRole(project.role, "member");
  const actions = useScheduleActions();
  // Every half minute, so "in 3 min" stays true without a refetch.
  const now = useClock(30_000);

  return (
    <section className="section" aria-labelledby="schedules-heading">
      <div className="section-header">
        <h2 id="schedules-heading">Schedules of {project.name}</h2>
        {canEdit ? (
          <Button asChild variant="primary">
            <Link href="/schedules/new">New schedule</Link>
          </Button>
        ) : null}
      </div>
      <ListToolbar searchLabel="Search schedules" placeholder="Search by name" value={searchText} onChange={setSearchText} />
      <PagedTable
        list={list}
        label="Schedules"
        noun={{ one: "schedule", other: "schedules" }}
        columns={[
          { header: "Name" },
          { header: "When" },
          { header: "Next fire" },
          { header: "Status" },
          { header: "Last fire" },
          { header: "Actions", isHeaderHidden: true },
        ]}
        rowKey={(schedule) => schedule.id}
        rowTestId="schedule-row"
        isFiltered={search !== ""}
        filterSummary={`matching “${search}”`}
        emptyFiltered={<EmptyState title="No schedules match">Try other words.</EmptyState>}
        empty={
          <EmptyState title="No schedules yet">
            {canEdit
              ? "Create one with “New schedule”: a cron expression, a time zone and what to do when it fires."
              : "A member of the project can create one."}
          </EmptyState>
        }
        renderRow={(schedule) => <ScheduleCells project={project} schedule={schedule} canEdit={canEdit} now={now} actions={actions} />}
      />
    </section>
  );
}

/** The outcome of the newest fire, from the schedule's history (one row). */
function LastFire({ project, schedule }: { project: AccountProject; schedule: Schedule }) {
  const trpc = useTRPC();
  // Manual fires ("Run now") count too, and they leave last_fire_at alone: the history says.
  const history = useQuery(trpc.schedules.history.queryOptions(lastFireInput(project.id, schedule.id)));
  if (history.isPending) return <span className="muted">…</span>;
  if (history.isError) return <span className="muted">{formatDateTime(schedule.lastFireAt)}</span>;
  const fire = history.data.items[0];
  if (!fire) return <span className="muted">Never fired</span>;
  return (
    <span className={styles.lastFire}>
      <FireStatusBadge status={fire.status} />
      <span className="muted">{formatDateTime(fire.fireAt)}</span>
    </span>
  );
}

/**
 * Pause, resume and delete change the schedule's list entries and its own query; "Run now" adds a fire to
 * its history. Each refreshes exactly those.
 */
function useScheduleActions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = (scheduleId: string) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.schedules.upcoming.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.schedules.get.queryKey({ scheduleId }) }),
    ]);
  const pause = useMutation(
    trpc.schedules.pause.mutationOptions({
      onSuccess: async (schedule) => {
        toast.success(`Paused “${schedule.name}”`);
        await refresh(schedule.id);
      },
      onError: (error) => toast.error(`Could not pause the schedule: ${errorMessage(error)}`),
    }),
  );
  const resume = useMutation(
    trpc.schedules.resume.mutationOptions({
      onSuccess: async (schedule) => {
        toast.success(`Resumed “${schedule.name}”`);
        await refresh(schedule.id);
      },
      onError: (error) => toast.error(`Could not resume the schedule: ${errorMessage(error)}`),
    }),
  );
  const runNow = useMutation(
    trpc.schedules.runNow.mutationOptions({
      onSuccess: async (_result, variables) => {
        toast.success("Fired: the worker runs the action now");
        await queryClient.invalidateQueries({ queryKey: trpc.schedules.history.queryKey({ scheduleId: variables.scheduleId }) });
      },
      onError: (error) => toast.error(`Could not run the schedule: ${errorMessage(error)}`),
    }),
  );
  const remove = useMutation(
    trpc.schedules.delete.mutationOptions({
      onSuccess: async (_result, variables) => {
        toast.success("Schedule deleted");
        await refresh(variables.scheduleId);
      },
      onError: (error) => toast.error(`Could not delete the schedule: ${errorMessage(error)}`),
    }),
  );
  return { pause, resume, runNow, remove };
}

function ScheduleCells({
  project,
  schedule,
  canEdit,
  now,
  actions: { pause, resume, runNow, remove },
}: {
  project: AccountProject;
  schedule: Schedule;
  canEdit: boolean;
  now: number | null;
  actions: ReturnType<typeof useScheduleActions>;
}) {
  const reading = describeCron(schedule.cron);
  const ref = { projectId: project.id, scheduleId: schedule.id };
  return (
    <>
      <th scope="row" className={`cell-wrap ${styles.nameCell}`}>
        <Link href={`/schedules/${schedule.id}`}>{schedule.name}</Link>
        <span className={styles.rowDescription}>{actionKindLabels[schedule.action.kind]}</span>
      </th>
      <td className={`cell-wrap ${styles.whenCell}`}>
        <code className="mono nowrap">{schedule.cron}</code>
        <span className={styles.rowDescription}>
          {reading ? `${reading} · ` : ""}
          {schedule.timezone}
        </span>
      </td>
      <td className="nowrap" data-testid="schedule-next-fire">
        {schedule.isPaused || !schedule.nextFireAt ? (
          <span className="muted">—</span>
        ) : (
          <>
            {formatDateTime(schedule.nextFireAt)}
            {now === null ? null : <span className={styles.rowDescription}>{formatRelative(schedule.nextFireAt, now)}</span>}
          </>
        )}
      </td>
      <td>
        <Badge tone={schedule.isPaused ? "warn" : "ok"} data-testid="schedule-status">
          {schedule.isPaused ? "Paused" : "Active"}
        </Badge>
      </td>
      <td className="nowrap">
        <LastFire project={project} schedule={schedule} />
      </td>
      <td className="cell-actions">
        <Button asChild size="small">
          <Link href={`/schedules/${schedule.id}`} aria-label={`Open ${schedule.name}`}>
            Open
          </Link>
        </Button>
        {canEdit ? (
          <>
            <Button
              variant="ghost"
              size="small"
              aria-label={`Run ${schedule.name} now`}
              disabled={runNow.isPending && runNow.variables?.scheduleId === schedule.id}
              onClick={() => runNow.mutate(ref)}
            >
              Run now
            </Button>
            {schedule.isPaused ? (
              <Button
                variant="ghost"
                size="small"
                aria-label={`Resume ${schedule.name}`}
                disabled={resume.isPending && resume.variables?.scheduleId === schedule.id}
                onClick={() => resume.mutate(ref)}
              >
                Resume
              </Button>
            ) : (
              <Button
                variant="ghost"
                size="small"
                aria-label={`Pause ${schedule.name}`}
                disabled={pause.isPending && pause.variables?.scheduleId === schedule.id}
                onClick={() => pause.mutate(ref)}
              >
                Pause
              </Button>
            )}
            <ConfirmButton
              label="Delete"
              accessibleLabel={`Delete ${schedule.name}`}
              prompt={`Delete “${schedule.name}” and its history?`}
              confirmLabel="Delete schedule"
              isPending={remove.isPending && remove.variables?.scheduleId === schedule.id}
              onConfirm={() => remove.mutate(ref)}
            />
          </>
        ) : null}
      </td>
    </>
  );
}
