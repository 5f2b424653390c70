"use client";
/**
 * /circles: the project's circles (strategy, members, link to each; searched on the server, paged) and its
 * conversations, with the form that starts a conversation between agents. A circle's runs are on its own page.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, InlineError } from "~/components/feedback";
import { TextField } from "~/components/field";
import { formatDateTime, hasRole } from "~/components/format";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { ListToolbar, PagedItems, PagedTable, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { errorMessage } from "~/trpc/errors";
import { activeAgentsInput, circlesPageInput, conversationRunsInput, conversationsPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import styles from "./circles.module.css";
import { strategyLabels } from "./shared";

type Agent = RouterOutputs["agents"]["list"]["items"][number];
type Circle = RouterOutputs["circles"]["list"]["items"][number];
type Conversation = RouterOutputs["conversations"]["list"]["items"][number];

export function CirclesView() {
  return <ProjectScope>{(project) => <ProjectCircles project={project} />}</ProjectScope>;
}

function ProjectCircles({ project }: { project: AccountProject }) {
  const canEdit = hasRole(project.role, "member");
  return (
    <>
      <section className="section" aria-labelledby="circles-heading">
        <div className="section-header">
          <h2 id="circles-heading">Circles</h2>
          {canEdit ? (
            <Button asChild variant="primary">
              <Link href="/circles/new">New circle</Link>
            </Button>
          ) : null}
        </div>
        <CirclesTable project={project} canEdit={canEdit} />
      </section>
      <Conversations project={project} canEdit={canEdit} />
    </>
  );
}

/** The project's circles: searched by name on the server, archived ones on request, paged with "Load more". */
function CirclesTable({ project, canEdit }: { project: AccountProject; canEdit: boolean }) {
  const trpc = useTRPC();
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  const [includeArchived, setIncludeArchived] = useState(false);
  const list = usePagedList<Circle>(
    `${includeArchived}:${search}`,
    (cursor) => trpc.circles.list.queryOptions(circlesPageInput(project.id, { search, includeArchived }, cursor)),
    (circle) => circle.id,
  );
  return (
    <>
      <ListToolbar searchLabel="Search circles" placeholder="Search by name" value={searchText} onChange={setSearchText}>
        <label className={styles.checkbox}>
          <input type="checkbox" checked={includeArchived} onChange={(event) => setIncludeArchived(event.target.checked)} />
          Show archived
        </label>
      </ListToolbar>
      <PagedTable
        list={list}
        label="Circles"
        noun={{ one: "circle", other: "circles" }}
        columns={[
          { header: "Circle" },
          { header: "Strategy" },
          { header: "Members" },
          { header: "Max turns", className: styles.numeric },
          { header: "Created" },
        ]}
        rowKey={(circle) => circle.id}
        rowTestId="circle-row"
        isFiltered={search !== "" || includeArchived}
        filterSummary={search ? `matching “${search}”` : "including archived"}
        emptyFiltered={
          <EmptyState title="No circles match">Try other words{includeArchived ? "" : ", or show archived circles"}.</EmptyState>
        }
        empty={
          <EmptyState title="No circles yet">
            {canEdit
              ? "Create one: pick agents, give each a role, and choose how they take turns."
              : "A member of the project can create one."}
          </EmptyState>
        }
        renderRow={(circle) => (
          <>
            <th scope="row">
              <Link href={`/circles/${circle.id}`}>{circle.name}</Link>
              {circle.archivedAt ? <Badge tone="quiet">Archived</Badge> : null}
            </th>
            <td>{strategyLabels[circle.strategy].label}</td>
            <td className="cell-wrap">{circle.members.map((member) => member.name ?? "?").join(", ")}</td>
            <td className={styles.numeric}>{circle.termination.maxTurns}</td>
            <td className="nowrap">{formatDateTime(circle.createdAt)}</td>
          </>
        )}
      />
    </>
  );
}

function Conversations({ project, canEdit }: { project: AccountProject; canEdit: boolean }) {
  const trpc = useTRPC();
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  const list = usePagedList<Conversation>(
    search,
    (cursor) => trpc.conversations.list.queryOptions(conversationsPageInput(project.id, search, cursor)),
    (conversation) => conversation.id,
  );
  const runs = useQuery(trpc.circles.listRuns.queryOptions(conversationRunsInput(project.id)));
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
      <ListToolbar searchLabel="Search conversations" placeholder="Search by title or topic" value={searchText} onChange={setSearchText} />
      <PagedItems
        list={list}
        label="Conversations"
        listClassName={styles.plainList}
        noun={{ one: "conversation", other: "conversations" }}
        isFiltered={search !== ""}
        filterSummary={`matching “${search}”`}
        emptyFiltered={<EmptyState title="No conversations match">Try other words.</EmptyState>}
        empty={<EmptyState title="No conversations yet" />}
        itemKey={(conversation) => conversation.id}
        renderItem={(conversation) => {
          const runId = latestRun.get(conversation.id);
          return (
            <li data-testid="conversation-row">
              {runId ? <Link href={`/circles/runs/${runId}`}>{conversation.title}</Link> : conversation.title}{" "}
              <span className="muted">
                · {conversation.exchanges} exchange{conversation.exchanges === 1 ? "" : "s"} · {formatDateTime(conversation.createdAt)}
              </span>
            </li>
          );
        }}
      />
    </section>
  );
}

function StartConversationForm({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const topicId = useId();
  const agents = useQuery(trpc.agents.list.queryOptions(activeAgentsInput(project.id)));
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
