"use client";
/**
 * /circles/runs/[runId]: one run of a circle or a conversation, live. The transcript (each message with
 * its agent, tokens and cost, and the text of the turn in progress as it streams), the shared task
 * board, the controls (pause, resume, stop) and a message box whose message members see at the next
 * turn. Changes arrive as events; nothing polls.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, formatNumber, hasRole } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./circles.module.css";
import { RunStatusBadge } from "./run-status-badge";
import { type CircleRunDetail, formatUsd, isRunLive, stopReasonLabels, strategyLabels } from "./shared";
import { useLiveCircleRuns } from "./use-live-circle-runs";

export function CircleRunView({ runId }: { runId: string }) {
  return <ProjectScope>{(project) => <CircleRunPage project={project} runId={runId} />}</ProjectScope>;
}

/** The streaming text of the turn in progress, from this run's `agent.token` deltas; a stored turn no longer streams. */
function visibleStream(streaming: { turn: string; text: string } | null, completedTurns: number) {
  if (!streaming || Number(streaming.turn.replace("turn-", "")) <= completedTurns) return null;
  return streaming;
}

function CircleRunPage({ project, runId }: { project: AccountProject; runId: string }) {
  const trpc = useTRPC();
  const [stream, setStream] = useState<{ turn: string; text: string } | null>(null);
  useLiveCircleRuns(project.id, (token) => {
    if (token.streamId !== `circle-run:${runId}`) return;
    setStream((current) =>
      current?.turn === token.messageId
        ? { turn: token.messageId, text: current.text + token.delta }
        : { turn: token.messageId, text: token.delta },
    );
  });
  const run = useQuery(trpc.circles.getRun.queryOptions({ projectId: project.id, runId }));
  const streaming = visibleStream(stream, run.data?.turnsCompleted ?? 0);
  if (run.isPending) return <LoadingState label="Loading the run…" />;
  if (run.isError) return <ErrorState error={run.error} title="Could not load the run" onRetry={() => run.refetch()} />;
  const data = run.data;
  const names = new Map<string, string>(data.members.map((member) => [member.agentId, member.name]));
  if (data.coordinator) names.set(data.coordinator.agentId, data.coordinator.name);
  const canControl = hasRole(project.role, "member") && isRunLive(data.status);
  return (
    <>
      <header className="page-header">
        <p>
          {data.circleId ? (
            <Link href={`/circles/${data.circleId}`}>Back to the circle</Link>
          ) : (
            <Link href="/circles">Circles and conversations</Link>
          )}
        </p>
        <h1>{data.kind === "conversation" ? "Conversation" : `Run of ${strategyLabels[data.strategy].label.toLowerCase()} circle`}</h1>
        <p className="muted" style={{ whiteSpace: "pre-wrap" }}>
          {data.task}
        </p>
      </header>
      <section className="section panel" aria-label="Run status">
        <div className={styles.controls}>
          <RunStatusBadge status={data.status} />
          <span data-testid="circle-run-turns">
            Turn {data.turnsCompleted} of at most {data.termination.maxTurns}
          </span>
          <span>
            {formatNumber(data.inputTokens + data.outputTokens)} tokens · {formatUsd(data.costMicros)}
          </span>
          {data.stopReason ? <span data-testid="circle-run-stop-reason">Ended by {stopReasonLabels[data.stopReason]}</span> : null}
          {canControl ? <RunControls project={project} run={data} /> : null}
        </div>
        {data.error ? <p className="inline-error">{data.error}</p> : null}
        {data.result ? (
          <div className="section">
            <h2>Result</h2>
            <p className={styles.messageBody} data-testid="circle-run-result">
              {data.result}
            </p>
          </div>
        ) : null}
      </section>
      <div className={styles.runLayout}>
        <section className="section" aria-labelledby="transcript-heading">
          <h2 id="transcript-heading">Transcript</h2>
          <Transcript run={data} names={names} streaming={streaming} />
          {canControl ? <PostMessageForm project={project} runId={data.id} /> : null}
        </section>
        {data.kind === "circle" ? (
          <section className="section" aria-labelledby="board-heading">
            <h2 id="board-heading">Task board</h2>
            <Board run={data} names={names} />
          </section>
        ) : null}
      </div>
    </>
  );
}

function Transcript({
  run,
  names,
  streaming,
}: {
  run: CircleRunDetail;
  names: Map<string, string>;
  streaming: { turn: string; text: string } | null;
}) {
  if (run.messages.length === 0 && !streaming) {
    return <EmptyState title={isRunLive(run.status) ? "Waiting for the first turn" : "No messages"} />;
  }
  return (
    <ol className={styles.transcript} aria-label="Messages">
      {run.messages.map((message) => (
        <li
          key={message.id}
          className={`${styles.message} ${message.authorKind === "user" ? styles.messageUser : message.authorKind === "system" ? styles.messageSystem : ""}`}
          data-testid="circle-message"
        >
          <div className={styles.messageHead}>
            <strong>
              {message.authorKind === "agent"
                ? (names.get(message.agentId ?? "") ?? "An agent")
                : message.authorKind === "user"
                  ? "You (to the circle)"
                  : "Note"}
            </strong>
            <span className="muted">
              turn {message.turnNumber}
              {message.authorKind === "agent"
                ? ` · ${formatNumber(message.inputTokens + message.outputTokens)} tokens · ${formatUsd(message.costMicros)}${message.model ? ` · ${message.model}` : ""}`
                : ""}{" "}
              · {formatDateTime(message.createdAt)}
            </span>
          </div>
          <p className={styles.messageBody}>{message.content}</p>
          {message.toolCalls?.length ? (
            <p className="muted">Tools: {message.toolCalls.map((call) => `${call.name}${call.isError ? " (failed)" : ""}`).join(", ")}</p>
          ) : null}
        </li>
      ))}
      {streaming ? (
        <li className={styles.message} aria-live="polite" data-testid="circle-streaming">
          <div className={styles.messageHead}>
            <strong>Speaking…</strong>
            <span className="muted">{streaming.turn.replace("-", " ")}</span>
          </div>
          <p className={styles.messageBody}>{streaming.text}</p>
        </li>
      ) : null}
    </ol>
  );
}

function Board({ run, names }: { run: CircleRunDetail; names: Map<string, string> }) {
  if (run.board.length === 0) return <p className="muted">No subtasks yet. Members can add them with the board tools.</p>;
  return (
    <ol className={styles.board} aria-label="Subtasks">
      {run.board.map((item) => (
        <li key={item.number} className={styles.boardItem} data-testid="board-item">
          <div className={styles.messageHead}>
            <strong>
              #{item.number} {item.title}
            </strong>
            <span className="badge">{item.status.replace("_", " ")}</span>
          </div>
          <p className="muted">Owner: {item.ownerAgentId ? (names.get(item.ownerAgentId) ?? "?") : "unassigned"}</p>
          {item.description ? <p>{item.description}</p> : null}
          {item.result ? <p className={styles.messageBody}>{item.result}</p> : null}
        </li>
      ))}
    </ol>
  );
}

function RunControls({ project, run }: { project: AccountProject; run: CircleRunDetail }) {
  const trpc = useTRPC();
  const pause = useMutation(trpc.circles.pauseRun.mutationOptions());
  const resume = useMutation(trpc.circles.resumeRun.mutationOptions());
  const cancel = useMutation(trpc.circles.cancelRun.mutationOptions());
  const error = pause.error ?? resume.error ?? cancel.error;
  const input = { projectId: project.id, runId: run.id };
  return (
    <>
      {run.status === "running" ? (
        <button type="button" className="button button-secondary" disabled={pause.isPending} onClick={() => pause.mutate(input)}>
          Pause
        </button>
      ) : (
        <button type="button" className="button button-secondary" disabled={resume.isPending} onClick={() => resume.mutate(input)}>
          Resume
        </button>
      )}
      <button type="button" className="button button-secondary" disabled={cancel.isPending} onClick={() => cancel.mutate(input)}>
        Stop
      </button>
      <InlineError message={error ? errorMessage(error) : null} />
    </>
  );
}

function PostMessageForm({ project, runId }: { project: AccountProject; runId: string }) {
  const trpc = useTRPC();
  const inputId = useId();
  const [content, setContent] = useState("");
  const post = useMutation(trpc.circles.postMessage.mutationOptions({ onSuccess: () => setContent("") }));
  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    post.mutate({ projectId: project.id, runId, content });
  }
  return (
    <form className="section" onSubmit={handleSubmit} aria-label="Message to the circle" noValidate>
      <div className="field">
        <label htmlFor={inputId}>Message to the members (seen at the next turn)</label>
        <textarea
          id={inputId}
          className={styles.textarea}
          rows={2}
          maxLength={20_000}
          value={content}
          onChange={(event) => setContent(event.target.value)}
        />
      </div>
      <InlineError message={post.error ? errorMessage(post.error) : null} />
      <div className="button-row">
        <button type="submit" className="button button-secondary" disabled={post.isPending || content.trim() === ""}>
          Send
        </button>
      </div>
    </form>
  );
}
