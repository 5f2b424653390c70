"use client";
/**
 * /circles: the project's circles (strategy, members, link to each) and its conversations, with the
 * form that starts a conversation between agents. A circle's runs are on its own page.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { TextField } from "~/components/field";
import { formatDateTime, hasRole } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./circles.module.css";
import { strategyLabels } from "./shared";

type Agent = RouterOutputs["agents"]["list"]["items"][number];

export function CirclesView() {
  return <ProjectScope>{(project) => <ProjectCircles project={project} />}</ProjectScope>;
}

function ProjectCircles({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const circles = useQuery(trpc.circles.list.queryOptions({ projectId: project.id, includeArchived: false, limit: 100 }));
  const canEdit = hasRole(project.role, "member");
  return (
    <>
      <section className="section" aria-labelledby="circles-heading">
        <div className="section-header">
          <h2 id="circles-heading">Circles</h2>
          {canEdit ? (
            <Link href="/circles/new" className="button button-primary">
              New circle
            </Link>
          ) : null}
        </div>
        {circles.isPending ? (
          <LoadingState label="Loading circles…" />
        ) : circles.isError ? (
          <ErrorState error={circles.error} onRetry={() => circles.refetch()} />
        ) : circles.data.items.length === 0 ? (
          <EmptyState title="No circles yet">
            {canEdit
              ? "Create one: pick agents, give each a role, and choose how they take turns."
              : "A member of the project can create one."}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Circles">
              <thead>
                <tr>
                  <th scope="col">Circle</th>
                  <th scope="col">Strategy</th>
                  <th scope="col">Members</th>
                  <th scope="col">Max turns</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {circles.data.items.map((circle) => (
                  <tr key={circle.id} data-testid="circle-row">
                    <th scope="row">
                      <Link href={`/circles/${circle.id}`}>{circle.name}</Link>
                    </th>
                    <td>{strategyLabels[circle.strategy].label}</td>
                    <td>{circle.members.map((member) => member.name ?? "?").join(", ")}</td>
                    <td className={styles.numeric}>{circle.termination.maxTurns}</td>
                    <td className="nowrap">{formatDateTime(circle.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Conversations project={project} canEdit={canEdit} />
    </>
  );
}

function Conversations({ project, canEdit }: { project: AccountProject; canEdit: boolean }) {
  const trpc = useTRPC();
  const conversations = useQuery(trpc.conversations.list.queryOptions({ projectId: project.id, includeArchived: false, limit: 50 }));
  const runs = useQuery(trpc.circles.listRuns.queryOptions({ projectId: project.id, kind: "conversation", limit: 100 }));
  const latestRun = new Map<string, string>();
  for (const run of runs.data?.items ?? [])
    if (run.conversationId && !latestRun.has(run.conversationId)) latestRun.set(run.conversationId, run.id);
  return (
    <section className="section" aria-labelledby="conversations-heading">
      <div className="section-header">
        <h2 id="conversations-heading">Conversations</h2>
      </div>
      <p className="muted">Two or more agents talk directly on a topic for a number of exchanges; every run is kept to replay.</p>
      {canEdit ? <StartConversationForm project={project} /> : null}
      {conversations.isPending ? (
        <LoadingState label="Loading conversations…" />
      ) : conversations.isError ? (
        <ErrorState error={conversations.error} onRetry={() => conversations.refetch()} />
      ) : conversations.data.items.length === 0 ? (
        <EmptyState title="No conversations yet" />
      ) : (
        <ul className={styles.plainList}>
          {conversations.data.items.map((conversation) => {
            const runId = latestRun.get(conversation.id);
            return (
              <li key={conversation.id} data-testid="conversation-row">
                {runId ? <Link href={`/circles/runs/${runId}`}>{conversation.title}</Link> : conversation.title}{" "}
                <span className="muted">
                  · {conversation.exchanges} exchange{conversation.exchanges === 1 ? "" : "s"} · {formatDateTime(conversation.createdAt)}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function StartConversationForm({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const topicId = useId();
  const agents = useQuery(trpc.agents.list.queryOptions({ projectId: project.id, includeArchived: false, limit: 100 }));
  const [title, setTitle] = useState("");
  const [topic, setTopic] = useState("");
  const [exchanges, setExchanges] = useState("3");
  const [chosen, setChosen] = useState<string[]>([]);
  const start = useMutation(
    trpc.conversations.start.mutationOptions({
      onSuccess: async ({ run }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.conversations.list.queryKey() });
        router.push(`/circles/runs/${run.id}`);
      },
    }),
  );
  const agentList: Agent[] = agents.data?.items ?? [];

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    start.mutate({ projectId: project.id, title, topic, agentIds: chosen, exchanges: Number(exchanges) });
  }

  return (
    <form className="panel section" onSubmit={handleSubmit} aria-label="New conversation" noValidate>
      <h3>New conversation</h3>
      <TextField label="Title" value={title} maxLength={200} onChange={(event) => setTitle(event.target.value)} />
      <div className="field">
        <label htmlFor={topicId}>Topic</label>
        <textarea id={topicId} className={styles.textarea} rows={2} value={topic} onChange={(event) => setTopic(event.target.value)} />
      </div>
      <fieldset className="field">
        <legend>Agents, in speaking order</legend>
        {agentList.length === 0 ? <p className="muted">No agents yet.</p> : null}
        <div className={styles.grid}>
          {agentList.map((agent) => (
            <label key={agent.id} className={styles.checkbox}>
              <input
                type="checkbox"
                checked={chosen.includes(agent.id)}
                onChange={(event) =>
                  setChosen((current) => (event.target.checked ? [...current, agent.id] : current.filter((id) => id !== agent.id)))
                }
              />{" "}
              {agent.name}
            </label>
          ))}
        </div>
      </fieldset>
      <TextField
        label="Exchanges (each agent speaks this many times)"
        type="number"
        min={1}
        max={50}
        value={exchanges}
        onChange={(event) => setExchanges(event.target.value)}
      />
      <InlineError message={start.error ? errorMessage(start.error) : null} />
      <div className="button-row">
        <button
          type="submit"
          className="button button-primary"
          disabled={start.isPending || chosen.length < 2 || topic.trim() === "" || title.trim() === ""}
        >
          {start.isPending ? "Starting…" : "Start the conversation"}
        </button>
      </div>
    </form>
  );
}
