"use client";
/**
 * /schedules: the project's schedules, paged on the server with "Load more", each with its next fire
 * time, whether it is active or paused, and how its last fire went; per row pause or resume, run now
 * and delete (behind a confirmation). Live from `schedules.changed` and `schedule_fires.changed`.
 */
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { toast } from "~/components/pipelines/toasts";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { FireStatusBadge } from "./fire-status-badge";
import styles from "./schedules.module.css";
import { actionKindLabels, describeCron, formatRelative, type Schedule } from "./shared";
import { useLiveSchedules } from "./use-live-schedules";

const PAGE_SIZE = 20;

export function SchedulesList() {
  return <ProjectScope>{(project) => <ProjectSchedules project={project} />}</ProjectScope>;
}

/** The clock, once a minute: "in 3 min" stays true without a refetch. */
export function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function ProjectSchedules({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  useLiveSchedules(project.id);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const pages = useQueries({
    queries: cursors.map((cursor) => trpc.schedules.list.queryOptions({ projectId: project.id, limit: PAGE_SIZE, cursor })),
  });
  const firstPage = pages[0];
  const lastPage = pages.at(-1);
  const seen = new Set<string>();
  const schedules = pages
    .flatMap((page) => page.data?.items ?? [])
    .filter((schedule) => {
      if (seen.has(schedule.id)) return false;
      seen.add(schedule.id);
      return true;
    });
  const nextCursor = lastPage?.data?.nextCursor ?? null;
  const canEdit = hasRole(project.role, "member");

  return (
    <section className="section" aria-labelledby="schedules-heading">
      <div className="section-header">
        <h2 id="schedules-heading">Schedules of {project.name}</h2>
        {canEdit ? (
          <Link href="/schedules/new" className="button button-primary">
            New schedule
          </Link>
        ) : null}
      </div>
      {!firstPage || firstPage.isPending ? (
        <LoadingState label="Loading schedules…" />
      ) : firstPage.isError ? (
        <ErrorState error={firstPage.error} onRetry={() => firstPage.refetch()} />
      ) : schedules.length === 0 ? (
        <EmptyState title="No schedules yet">
          {canEdit
            ? "Create one with “New schedule”: a cron expression, a time zone and what to do when it fires."
            : "A member of the project can create one."}
        </EmptyState>
      ) : (
        <>
          <SchedulesTable project={project} schedules={schedules} canEdit={canEdit} />
          <div className="load-more">
            {lastPage?.isError ? <p className="inline-error">{errorMessage(lastPage.error)}</p> : null}
            {lastPage?.isFetching && cursors.length > 1 && !lastPage.data ? (
              <LoadingState label="Loading more schedules…" />
            ) : nextCursor !== null ? (
              <button type="button" className="button button-secondary" onClick={() => setCursors([...cursors, nextCursor])}>
                Load more
              </button>
            ) : (
              <p className="muted">
                {schedules.length} schedule{schedules.length === 1 ? "" : "s"}
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}

/** The outcome of the newest fire, from the schedule's history (one row). */
function LastFire({ project, schedule }: { project: AccountProject; schedule: Schedule }) {
  const trpc = useTRPC();
  // Manual fires ("Run now") count too, and they leave last_fire_at alone: the history says.
  const history = useQuery(trpc.schedules.history.queryOptions({ projectId: project.id, scheduleId: schedule.id, limit: 1 }));
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

function SchedulesTable({ project, schedules, canEdit }: { project: AccountProject; schedules: Schedule[]; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useMinuteClock();
  const [failure, setFailure] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
  const pause = useMutation(
    trpc.schedules.pause.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async (schedule) => {
        toast.success(`Paused “${schedule.name}”`);
        await refresh();
      },
      onError: (error) => setFailure(`Could not pause the schedule: ${errorMessage(error)}`),
    }),
  );
  const resume = useMutation(
    trpc.schedules.resume.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async (schedule) => {
        toast.success(`Resumed “${schedule.name}”`);
        await refresh();
      },
      onError: (error) => setFailure(`Could not resume the schedule: ${errorMessage(error)}`),
    }),
  );
  const runNow = useMutation(
    trpc.schedules.runNow.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async () => {
        toast.success("Fired: the worker runs the action now");
        await queryClient.invalidateQueries({ queryKey: trpc.schedules.history.queryKey() });
      },
      onError: (error) => setFailure(`Could not run the schedule: ${errorMessage(error)}`),
    }),
  );
  const remove = useMutation(
    trpc.schedules.delete.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async () => {
        toast.success("Schedule deleted");
        await refresh();
      },
      onError: (error) => setFailure(`Could not delete the schedule: ${errorMessage(error)}`),
    }),
  );

  return (
    <>
      <InlineError message={failure} />
      <div className="table-wrap">
        <table className="table" aria-label="Schedules">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">When</th>
              <th scope="col">Next fire</th>
              <th scope="col">Status</th>
              <th scope="col">Last fire</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => {
              const reading = describeCron(schedule.cron);
              const ref = { projectId: project.id, scheduleId: schedule.id };
              return (
                <tr key={schedule.id} data-testid="schedule-row">
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
                        <span className={styles.rowDescription}>{formatRelative(schedule.nextFireAt, now)}</span>
                      </>
                    )}
                  </td>
                  <td>
                    <span className={schedule.isPaused ? "badge badge-warn" : "badge badge-ok"} data-testid="schedule-status">
                      {schedule.isPaused ? "Paused" : "Active"}
                    </span>
                  </td>
                  <td className="nowrap">
                    <LastFire project={project} schedule={schedule} />
                  </td>
                  <td className="cell-actions">
                    <Link
                      href={`/schedules/${schedule.id}`}
                      className="button button-secondary button-small"
                      aria-label={`Open ${schedule.name}`}
                    >
                      Open
                    </Link>
                    {canEdit ? (
                      <>
                        <button
                          type="button"
                          className="button button-ghost button-small"
                          aria-label={`Run ${schedule.name} now`}
                          disabled={runNow.isPending && runNow.variables?.scheduleId === schedule.id}
                          onClick={() => runNow.mutate(ref)}
                        >
                          Run now
                        </button>
                        {schedule.isPaused ? (
                          <button
                            type="button"
                            className="button button-ghost button-small"
                            aria-label={`Resume ${schedule.name}`}
                            disabled={resume.isPending && resume.variables?.scheduleId === schedule.id}
                            onClick={() => resume.mutate(ref)}
                          >
                            Resume
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="button button-ghost button-small"
                            aria-label={`Pause ${schedule.name}`}
                            disabled={pause.isPending && pause.variables?.scheduleId === schedule.id}
                            onClick={() => pause.mutate(ref)}
                          >
                            Pause
                          </button>
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
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
