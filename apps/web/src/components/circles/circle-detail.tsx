"use client";
/** /circles/[circleId]: the circle (members, strategy, limits), starting a run, its run history, edit and archive. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, formatNumber, hasRole } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { circleRunsInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import { CircleForm } from "./circle-form";
import styles from "./circles.module.css";
import { RunStatusBadge } from "./run-status-badge";
import { type Circle, formatUsd, stopReasonLabels, strategyLabels } from "./shared";
import { useLiveCircleRuns } from "./use-live-circle-runs";

export function CircleDetailView({ circleId }: { circleId: string }) {
  return <ProjectScope>{(project) => <CircleDetail project={project} circleId={circleId} />}</ProjectScope>;
}

function CircleDetail({ project, circleId }: { project: AccountProject; circleId: string }) {
  const trpc = useTRPC();
  const circle = useQuery(trpc.circles.get.queryOptions({ projectId: project.id, circleId }));
  const [isEditing, setIsEditing] = useState(false);
  if (circle.isPending) return <LoadingState label="Loading the circle…" />;
  if (circle.isError) return <ErrorState error={circle.error} title="Could not load the circle" onRetry={() => circle.refetch()} />;
  const canEdit = hasRole(project.role, "member") && circle.data.archivedAt === null;
  return (
    <>
      <header className="page-header">
        <p>
          <Link href="/circles">Circles</Link>
        </p>
        <h1>{circle.data.name}</h1>
        <p className="muted">
          {strategyLabels[circle.data.strategy].label}: {strategyLabels[circle.data.strategy].description}
        </p>
      </header>
      {isEditing ? (
        <>
          <CircleForm project={project} circle={circle.data} />
          <button type="button" className="button button-secondary" onClick={() => setIsEditing(false)}>
            Cancel editing
          </button>
        </>
      ) : (
        <CircleSummary project={project} circle={circle.data} canEdit={canEdit} onEdit={() => setIsEditing(true)} />
      )}
      {canEdit ? <StartRunForm project={project} circle={circle.data} /> : null}
      <RunHistory project={project} circleId={circleId} />
    </>
  );
}

function CircleSummary({
  project,
  circle,
  canEdit,
  onEdit,
}: {
  project: AccountProject;
  circle: Circle;
  canEdit: boolean;
  onEdit: () => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const archive = useMutation(
    trpc.circles.archive.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.circles.list.queryKey() });
        router.push("/circles");
      },
    }),
  );
  const { termination } = circle;
  return (
    <section className="section panel" aria-labelledby="circle-summary-heading">
      <h2 id="circle-summary-heading">Members</h2>
      <ol>
        {circle.members.map((member) => (
          <li key={member.agentId}>
            <strong>{member.name ?? "Unknown agent"}</strong>
            {member.role ? ` · ${member.role}` : ""}
          </li>
        ))}
      </ol>
      {circle.coordinatorAgentId ? <p>Coordinator: {circle.coordinatorName ?? "an agent no longer found"}</p> : null}
      <p className="muted">
        Stops after {termination.maxTurns} turns
        {termination.maxTokens ? `, ${formatNumber(termination.maxTokens)} tokens` : ""}
        {termination.maxCostMicros ? `, ${formatUsd(termination.maxCostMicros)}` : ""}
        {termination.timeoutSeconds ? `, ${termination.timeoutSeconds} s` : ""}
        {termination.completionPhrase ? `, or when someone says “${termination.completionPhrase}”` : ""}, or when a member calls finish.
      </p>
      {canEdit ? (
        <div className="button-row">
          <button type="button" className="button button-secondary" onClick={onEdit}>
            Edit
          </button>
          <ConfirmButton
            label="Archive"
            prompt="Archive this circle? Its runs stay readable."
            confirmLabel="Archive"
            isPending={archive.isPending}
            onConfirm={() => archive.mutate({ projectId: project.id, circleId: circle.id })}
          />
        </div>
      ) : null}
      <InlineError message={archive.error ? errorMessage(archive.error) : null} />
    </section>
  );
}

function StartRunForm({ project, circle }: { project: AccountProject; circle: Circle }) {
  const trpc = useTRPC();
  const router = useRouter();
  const taskId = useId();
  const [task, setTask] = useState("");
  const run = useMutation(trpc.circles.run.mutationOptions({ onSuccess: (started) => router.push(`/circles/runs/${started.id}`) }));
  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    run.mutate({ projectId: project.id, circleId: circle.id, task });
  }
  return (
    <form className="section panel" onSubmit={handleSubmit} aria-label="Run the circle" noValidate>
      <h2>Run</h2>
      <div className="field">
        <label htmlFor={taskId}>Task for the circle</label>
        <textarea
          id={taskId}
          className={styles.textarea}
          rows={3}
          maxLength={100_000}
          value={task}
          onChange={(event) => setTask(event.target.value)}
        />
      </div>
      <InlineError message={run.error ? errorMessage(run.error) : null} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={run.isPending || task.trim() === ""}>
          {run.isPending ? "Starting…" : "Start a run"}
        </button>
      </div>
    </form>
  );
}

function RunHistory({ project, circleId }: { project: AccountProject; circleId: string }) {
  const trpc = useTRPC();
  useLiveCircleRuns(project.id);
  const runs = useQuery(trpc.circles.listRuns.queryOptions(circleRunsInput(project.id, circleId)));
  return (
    <section className="section" aria-labelledby="run-history-heading">
      <h2 id="run-history-heading">Run history</h2>
      {runs.isPending ? (
        <LoadingState label="Loading runs…" />
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => runs.refetch()} />
      ) : runs.data.items.length === 0 ? (
        <EmptyState title="No runs yet" />
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Runs">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Status</th>
                <th scope="col">Turns</th>
                <th scope="col">Tokens</th>
                <th scope="col">Cost</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((run) => (
                <tr key={run.id} data-testid="circle-run-row">
                  <th scope="row">
                    <Link href={`/circles/runs/${run.id}`}>{run.task.length > 80 ? `${run.task.slice(0, 80)}…` : run.task}</Link>
                  </th>
                  <td>
                    <RunStatusBadge status={run.status} />
                    {run.stopReason ? <span className="muted"> ({stopReasonLabels[run.stopReason]})</span> : null}
                  </td>
                  <td className={styles.numeric}>{run.turnsCompleted}</td>
                  <td className={styles.numeric}>{formatNumber(run.inputTokens + run.outputTokens)}</td>
                  <td className={styles.numeric}>{formatUsd(run.costMicros)}</td>
                  <td className="nowrap">{formatDateTime(run.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
