"use client";
/**
 * /schedules/new and /schedules/[scheduleId]: the form, and for a saved schedule its controls (run
 * now, pause or resume, the webhook secret) and its history: each fire with its time, trigger,
 * status, duration, error, and the pipeline run or agent task it started. Live from events.
 */
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { formatDuration, shortId } from "~/components/pipelines/shared";
import { toast } from "~/components/pipelines/toasts";
import { errorMessage } from "~/trpc/errors";
import { scheduleHistoryPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import { FireStatusBadge } from "./fire-status-badge";
import { ScheduleForm } from "./schedule-form";
import styles from "./schedules.module.css";
import { fireTriggerLabels, type Schedule, type ScheduleFire } from "./shared";
import { useLiveSchedules } from "./use-live-schedules";

export function NewScheduleView() {
  return (
    <ProjectScope>
      {(project) =>
        hasRole(project.role, "member") ? (
          <ScheduleForm project={project} schedule={null} />
        ) : (
          <p className="callout callout-info">Members and above can create schedules.</p>
        )
      }
    </ProjectScope>
  );
}

export function ScheduleDetailView({ scheduleId }: { scheduleId: string }) {
  return <ProjectScope>{(project) => <ScheduleDetail project={project} scheduleId={scheduleId} />}</ProjectScope>;
}

function ScheduleDetail({ project, scheduleId }: { project: AccountProject; scheduleId: string }) {
  const trpc = useTRPC();
  useLiveSchedules(project.id);
  const schedule = useQuery(trpc.schedules.get.queryOptions({ projectId: project.id, scheduleId }));
  if (schedule.isPending) return <LoadingState label="Loading the schedule…" />;
  if (schedule.isError) return <ErrorState error={schedule.error} onRetry={() => schedule.refetch()} />;
  const canEdit = hasRole(project.role, "member");
  return (
    <>
      <ScheduleControls project={project} schedule={schedule.data} canEdit={canEdit} />
      {canEdit ? (
        <section className="section" aria-labelledby="edit-heading">
          <h2 id="edit-heading">Settings</h2>
          {/* Keyed by the saved version: a save elsewhere (or a live change) starts the form from it. */}
          <ScheduleForm key={schedule.data.updatedAt.toISOString()} project={project} schedule={schedule.data} />
        </section>
      ) : (
        <p className="callout callout-info">
          <code className="mono">{schedule.data.cron}</code> in {schedule.data.timezone}. Members and above can change this schedule.
        </p>
      )}
      <FireHistory project={project} schedule={schedule.data} />
    </>
  );
}

function ScheduleControls({ project, schedule, canEdit }: { project: AccountProject; schedule: Schedule; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const ref = { projectId: project.id, scheduleId: schedule.id };
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.schedules.get.queryKey(ref) });
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
  const pause = useMutation(
    trpc.schedules.pause.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async () => {
        toast.success("Paused");
        await refresh();
      },
      onError: (error) => setFailure(`Could not pause the schedule: ${errorMessage(error)}`),
    }),
  );
  const resume = useMutation(
    trpc.schedules.resume.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async () => {
        toast.success("Resumed: it fires from the next time on");
        await refresh();
      },
      onError: (error) => setFailure(`Could not resume the schedule: ${errorMessage(error)}`),
    }),
  );
  const revealSecret = useMutation({
    mutationFn: () => queryClient.fetchQuery(trpc.schedules.webhookSecret.queryOptions(ref)),
    onSuccess: (result) => setSecret(result.webhookSecret),
    onError: (error) => setFailure(`Could not read the secret: ${error.message}`),
  });

  return (
    <section className="section panel" aria-labelledby="schedule-heading">
      <div className="section-header">
        <h2 id="schedule-heading">{schedule.name}</h2>
        <span className={schedule.isPaused ? "badge badge-warn" : "badge badge-ok"} data-testid="schedule-status">
          {schedule.isPaused ? "Paused" : "Active"}
        </span>
      </div>
      <dl className={styles.facts}>
        <div>
          <dt>Next fire</dt>
          <dd data-testid="schedule-next-fire">{schedule.isPaused ? "— (paused)" : formatDateTime(schedule.nextFireAt, "Never")}</dd>
        </div>
        <div>
          <dt>Last fire</dt>
          <dd>{formatDateTime(schedule.lastFireAt, "Never")}</dd>
        </div>
        <div>
          <dt>Expression</dt>
          <dd>
            <code className="mono">{schedule.cron}</code> · {schedule.timezone}
          </dd>
        </div>
      </dl>
      <InlineError message={failure} />
      {canEdit ? (
        <div className="toolbar">
          <button type="button" className="button button-primary" disabled={runNow.isPending} onClick={() => runNow.mutate(ref)}>
            {runNow.isPending ? "Firing…" : "Run now"}
          </button>
          {schedule.isPaused ? (
            <button type="button" className="button button-secondary" disabled={resume.isPending} onClick={() => resume.mutate(ref)}>
              Resume
            </button>
          ) : (
            <button type="button" className="button button-secondary" disabled={pause.isPending} onClick={() => pause.mutate(ref)}>
              Pause
            </button>
          )}
          {schedule.hasWebhookSecret ? (
            <button type="button" className="button button-ghost" disabled={revealSecret.isPending} onClick={() => revealSecret.mutate()}>
              Show webhook secret
            </button>
          ) : null}
        </div>
      ) : null}
      {secret ? (
        <p className={styles.secret}>
          Webhook secret:{" "}
          <code className="mono" data-testid="webhook-secret">
            {secret}
          </code>
        </p>
      ) : null}
    </section>
  );
}

function LinkedWork({ fire }: { fire: ScheduleFire }) {
  if (fire.pipelineRunId) {
    return (
      <Link href={`/runs/${fire.pipelineRunId}`}>
        Run {shortId(fire.pipelineRunId)}
        {fire.pipelineRunStatus ? ` (${fire.pipelineRunStatus})` : ""}
      </Link>
    );
  }
  if (fire.agentTaskId) {
    return (
      <Link href={`/tasks/${fire.agentTaskId}`}>
        Task {shortId(fire.agentTaskId)}
        {fire.agentTaskStatus ? ` (${fire.agentTaskStatus})` : ""}
      </Link>
    );
  }
  const circleRunId = typeof fire.result.circleRunId === "string" ? fire.result.circleRunId : null;
  if (circleRunId) return <Link href={`/circles/runs/${circleRunId}`}>Circle run {shortId(circleRunId)}</Link>;
  const status = typeof fire.result.status === "number" ? fire.result.status : null;
  if (status !== null) return <span className="mono">HTTP {status}</span>;
  return <span className="muted">—</span>;
}

function FireHistory({ project, schedule }: { project: AccountProject; schedule: Schedule }) {
  const trpc = useTRPC();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const pages = useQueries({
    queries: cursors.map((cursor) => trpc.schedules.history.queryOptions(scheduleHistoryPageInput(project.id, schedule.id, cursor))),
  });
  const firstPage = pages[0];
  const lastPage = pages.at(-1);
  const fires = pages.flatMap((page) => page.data?.items ?? []);
  const nextCursor = lastPage?.data?.nextCursor ?? null;

  return (
    <section className="section" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {!firstPage || firstPage.isPending ? (
        <LoadingState label="Loading the history…" />
      ) : firstPage.isError ? (
        <ErrorState error={firstPage.error} onRetry={() => firstPage.refetch()} />
      ) : fires.length === 0 ? (
        <EmptyState title="No fires yet">Each time it fires (or someone uses “Run now”) a row appears here.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Fire history">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Run or task</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {fires.map((fire) => (
                  <tr key={fire.id} data-testid="fire-row">
                    <td className="nowrap">{formatDateTime(fire.fireAt)}</td>
                    <td className="nowrap">{fireTriggerLabels[fire.trigger]}</td>
                    <td>
                      <FireStatusBadge status={fire.status} />
                    </td>
                    <td className={styles.numeric}>{fire.attempts}</td>
                    <td className={`nowrap ${styles.numeric}`}>{formatDuration(fire.durationMs)}</td>
                    <td className="nowrap">
                      <LinkedWork fire={fire} />
                    </td>
                    <td className={`cell-wrap ${styles.errorCell}`}>{fire.error ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="load-more">
            {lastPage?.isError ? <p className="inline-error">{errorMessage(lastPage.error)}</p> : null}
            {nextCursor !== null ? (
              <button type="button" className="button button-secondary" onClick={() => setCursors([...cursors, nextCursor])}>
                Load older fires
              </button>
            ) : (
              <p className="muted">
                {fires.length} fire{fires.length === 1 ? "" : "s"}
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}
