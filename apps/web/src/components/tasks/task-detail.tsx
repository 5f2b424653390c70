"use client";
/**
 * /tasks/[taskId]: one task as the worker sees it: what was asked, where it stands, what came back (or
 * why not), what it cost, and the transcript of the agent's work. Updates live from `tasks.changed`;
 * a queued or running task can be cancelled.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, formatNumber, hasRole } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { formatUsd, isTaskActive, type Task } from "./shared";
import { TaskStatusBadge } from "./task-status-badge";
import styles from "./tasks.module.css";
import { useLiveTasks } from "./use-live-tasks";

type StoredMessage = RouterOutputs["agents"]["sessions"]["get"]["messages"][number];

const originLabels: Record<Task["origin"]["kind"], string> = {
  user: "Submitted by a person",
  pipeline: "A pipeline",
  schedule: "A schedule",
  circle: "A circle",
};

export function TaskDetailView({ taskId }: { taskId: string }) {
  return <ProjectScope>{(project) => <TaskPage project={project} taskId={taskId} />}</ProjectScope>;
}

function TaskPage({ project, taskId }: { project: AccountProject; taskId: string }) {
  const trpc = useTRPC();
  useLiveTasks(project.id);
  const task = useQuery(trpc.tasks.get.queryOptions({ projectId: project.id, taskId }));
  const agent = useQuery({
    ...trpc.agents.get.queryOptions({ projectId: project.id, agentId: task.data?.agentId ?? "" }),
    enabled: task.isSuccess,
  });

  if (task.isPending) return <LoadingState label="Loading the task…" />;
  if (task.isError) {
    return (
      <>
        <BackLink />
        <ErrorState error={task.error} onRetry={() => task.refetch()} />
      </>
    );
  }
  const { data } = task;
  return (
    <>
      <header className="page-header">
        <div className="section-header">
          <div className={styles.titleRow}>
            <h1>Task</h1>
            <TaskStatusBadge status={data.status} />
          </div>
          <div className="toolbar">
            <BackLink />
            {isTaskActive(data.status) && hasRole(project.role, "member") ? <CancelTask project={project} task={data} /> : null}
          </div>
        </div>
        <p className="muted">
          For{" "}
          {agent.data ? (
            agent.data.archivedAt ? (
              agent.data.name
            ) : (
              <Link href={`/agents/${agent.data.id}`}>{agent.data.name}</Link>
            )
          ) : (
            "its agent"
          )}{" "}
          · submitted {formatDateTime(data.createdAt)}
        </p>
      </header>

      <section className="section panel" aria-labelledby="task-input-heading">
        <h2 id="task-input-heading">Input</h2>
        <p className={styles.text}>{data.input}</p>
      </section>

      <TaskOutcome task={data} />

      <section className="section panel" aria-labelledby="task-facts-heading">
        <h2 id="task-facts-heading">Details</h2>
        <dl className={styles.facts}>
          <div>
            <dt>Attempts</dt>
            <dd data-testid="task-attempts">{data.attempts}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>
              {formatNumber(data.inputTokens)} in / {formatNumber(data.outputTokens)} out
            </dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd>{formatUsd(data.costMicros)}</dd>
          </div>
          <div>
            <dt>Origin</dt>
            <dd>{originLabels[data.origin.kind]}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(data.startedAt, "Not yet")}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{formatDateTime(data.finishedAt, isTaskActive(data.status) ? "Not yet" : "—")}</dd>
          </div>
        </dl>
      </section>

      <Transcript project={project} task={data} />
    </>
  );
}

function BackLink() {
  return (
    <Link href="/tasks" className="button button-ghost">
      All tasks
    </Link>
  );
}

function TaskOutcome({ task }: { task: Task }) {
  if (task.status === "succeeded") {
    return (
      <section className="section panel" aria-labelledby="task-result-heading">
        <h2 id="task-result-heading">Result</h2>
        <p className={styles.text} data-testid="task-result">
          {task.result ?? ""}
        </p>
      </section>
    );
  }
  if (task.status === "failed") {
    return (
      <section className={`section panel ${styles.resultError}`} aria-labelledby="task-error-heading">
        <h2 id="task-error-heading">Error</h2>
        <p className={styles.text}>{task.error ?? "The task failed without a message."}</p>
      </section>
    );
  }
  if (task.status === "cancelled") {
    return (
      <p className="callout callout-warning">This task was cancelled{task.finishedAt ? ` on ${formatDateTime(task.finishedAt)}` : ""}.</p>
    );
  }
  return (
    <LoadingState
      label={
        task.status === "queued" ? "Waiting for a worker to pick the task up…" : "The agent is working on it; this page updates by itself."
      }
    />
  );
}

function CancelTask({ project, task }: { project: AccountProject; task: Task }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.tasks.cancel.mutationOptions({
      onSuccess: async (cancelled) => {
        queryClient.setQueryData(trpc.tasks.get.queryKey({ projectId: project.id, taskId: cancelled.id }), cancelled);
        await queryClient.invalidateQueries({ queryKey: trpc.tasks.list.queryKey() });
      },
    }),
  );
  return (
    <>
      <ConfirmButton
        label="Cancel task"
        prompt="Stop this task? A running task stops within a second or so."
        confirmLabel="Stop task"
        isPending={cancel.isPending}
        onConfirm={() => cancel.mutate({ projectId: project.id, taskId: task.id })}
      />
      <InlineError message={cancel.error ? `Could not cancel the task: ${errorMessage(cancel.error)}` : null} />
    </>
  );
}

function Transcript({ project, task }: { project: AccountProject; task: Task }) {
  const trpc = useTRPC();
  const session = useQuery(trpc.agents.sessions.get.queryOptions({ projectId: project.id, sessionId: task.sessionId }));
  return (
    <section className="section panel" aria-labelledby="task-transcript-heading">
      <h2 id="task-transcript-heading">Transcript</h2>
      {session.isPending ? (
        <LoadingState label="Loading the transcript…" />
      ) : session.isError ? (
        <ErrorState error={session.error} onRetry={() => session.refetch()} />
      ) : session.data.messages.length === 0 ? (
        <EmptyState title="Nothing written yet" />
      ) : (
        <ol className={styles.transcript} aria-label="Transcript">
          {session.data.messages.map((message) => (
            <TranscriptMessage key={message.id} message={message} />
          ))}
        </ol>
      )}
    </section>
  );
}

function TranscriptMessage({ message }: { message: StoredMessage }) {
  if (message.role === "user") {
    return (
      <li className={`${styles.message} ${styles.messageUser}`}>
        <div className={styles.messageRole}>Task</div>
        <p className={styles.text}>{message.content}</p>
      </li>
    );
  }
  if (message.role === "tool") {
    return (
      <li className={`${styles.message} ${styles.messageTool}${message.isError ? ` ${styles.messageFailed}` : ""}`}>
        <div className={styles.messageRole}>
          Tool {message.toolName ? <span className="mono">{message.toolName}</span> : null}
          {message.isError ? " · failed" : ""}
        </div>
        <p className={styles.text}>{message.content.length > 600 ? `${message.content.slice(0, 600)}…` : message.content}</p>
      </li>
    );
  }
  return (
    <li className={styles.message} data-testid="transcript-assistant">
      <div className={styles.messageRole}>Agent</div>
      {message.content ? <p className={styles.text}>{message.content}</p> : null}
      {message.toolCalls?.map((call) => (
        <p key={call.id} className="muted">
          Calls <span className="mono">{call.name}</span> <code>{JSON.stringify(call.arguments)}</code>
        </p>
      ))}
      <div className={styles.messageMeta}>
        {message.provider && message.model ? <span className="mono">{`${message.provider}:${message.model}`}</span> : null}
        <span>
          {formatNumber(message.inputTokens)} in / {formatNumber(message.outputTokens)} out tokens
        </span>
        <span>{formatUsd(message.costMicros)}</span>
      </div>
    </li>
  );
}
