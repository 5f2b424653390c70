"use client";
/**
 * /tasks: give an agent a piece of background work, and follow the project's tasks as the worker runs
 * them. Statuses change live from `tasks.changed` events; the list filters by status and agent on the
 * server and pages with "Load more".
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { formatDateTime, hasRole } from "~/components/format";
import { errorMessage, fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { formatUsd, type Task, type TaskStatus, taskStatuses, taskStatusLabels } from "./shared";
import { TaskStatusBadge } from "./task-status-badge";
import styles from "./tasks.module.css";
import { useLiveTasks } from "./use-live-tasks";

type Agent = RouterOutputs["agents"]["list"]["items"][number];

const PAGE_SIZE = 20;
/** The most agents one request returns; a project with more picks from the newest. */
const AGENTS_LIMIT = 100;
const ALL = "all";

export function TasksView() {
  return <ProjectScope>{(project) => <ProjectTasks project={project} />}</ProjectScope>;
}

function ProjectTasks({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  useLiveTasks(project.id);
  // Archived agents too: their past tasks still need a name.
  const agents = useQuery(trpc.agents.list.queryOptions({ projectId: project.id, includeArchived: true, limit: AGENTS_LIMIT }));
  const agentList = agents.data?.items ?? [];
  const canSubmit = hasRole(project.role, "member");

  return (
    <>
      {canSubmit ? (
        <section className="section panel" aria-labelledby="submit-task-heading">
          <h2 id="submit-task-heading">New task</h2>
          <p className="muted">The agent works on it in the background, on the worker; you can leave this page meanwhile.</p>
          {agents.isPending ? (
            <LoadingState label="Loading agents…" />
          ) : agents.isError ? (
            <ErrorState error={agents.error} title="Could not load the agents" onRetry={() => agents.refetch()} />
          ) : (
            <SubmitTaskForm project={project} agents={agentList.filter((agent) => agent.archivedAt === null)} />
          )}
        </section>
      ) : (
        <p className="callout callout-info">You can follow the project’s tasks; members and above can give agents work.</p>
      )}
      <TaskList project={project} agents={agentList} />
    </>
  );
}

function SubmitTaskForm({ project, agents }: { project: AccountProject; agents: Agent[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const inputId = useId();
  const [chosenAgentId, setChosenAgentId] = useState<string | null>(null);
  const [input, setInput] = useState("");
  const [submitted, setSubmitted] = useState<Task | null>(null);
  // An agent archived meanwhile falls back to the first one.
  const agentId = agents.find((agent) => agent.id === chosenAgentId)?.id ?? agents[0]?.id ?? "";
  const submit = useMutation(
    trpc.tasks.submit.mutationOptions({
      onMutate: () => setSubmitted(null),
      onSuccess: async (task) => {
        setInput("");
        setSubmitted(task);
        await queryClient.invalidateQueries({ queryKey: trpc.tasks.list.queryKey() });
      },
    }),
  );
  const inputError = fieldErrorsOf(submit.error).input;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!agentId || input.trim() === "") return;
    submit.mutate({ projectId: project.id, agentId, input });
  }

  if (agents.length === 0) {
    return (
      <EmptyState title="No agents to give work to">
        <Link href="/agents/new">Create an agent</Link> first: the offline demo model works without any API key.
      </EmptyState>
    );
  }
  return (
    <form onSubmit={handleSubmit} noValidate aria-label="New task">
      <div className={styles.submitGrid}>
        <SelectField
          label="Agent"
          value={agentId}
          options={agents.map((agent) => ({ value: agent.id, label: agent.name }))}
          onChange={setChosenAgentId}
          error={fieldErrorsOf(submit.error).agentId}
        />
        <div className="field">
          <label htmlFor={inputId}>What should the agent do?</label>
          <textarea
            id={inputId}
            className={styles.textarea}
            rows={3}
            maxLength={100_000}
            placeholder="e.g. Summarise last week’s support tickets in five bullet points"
            value={input}
            aria-invalid={inputError ? true : undefined}
            aria-describedby={inputError ? `${inputId}-error` : undefined}
            onChange={(event) => setInput(event.target.value)}
          />
          {inputError ? (
            <p id={`${inputId}-error`} className="field-error">
              {inputError}
            </p>
          ) : null}
        </div>
      </div>
      <InlineError message={formErrorMessage(submit.error, ["input", "agentId"])} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={submit.isPending || input.trim() === ""}>
          {submit.isPending ? "Submitting…" : "Submit task"}
        </button>
        <p className="save-status" role="status">
          {submitted ? (
            <>
              Task submitted. <Link href={`/tasks/${submitted.id}`}>Open it</Link>
            </>
          ) : (
            ""
          )}
        </p>
      </div>
    </form>
  );
}

function TaskList({ project, agents }: { project: AccountProject; agents: Agent[] }) {
  const trpc = useTRPC();
  const [status, setStatus] = useState<TaskStatus | typeof ALL>(ALL);
  const [agentId, setAgentId] = useState<string>(ALL);
  // The cursor of each loaded page, for one filter: a new filter starts again from the first page.
  const filterKey = `${status}:${agentId}`;
  const [paging, setPaging] = useState<{ filterKey: string; cursors: (string | undefined)[] }>({ filterKey, cursors: [undefined] });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [undefined];

  const pages = useQueries({
    queries: cursors.map((cursor) =>
      trpc.tasks.list.queryOptions({
        projectId: project.id,
        limit: PAGE_SIZE,
        ...(status === ALL ? {} : { status }),
        ...(agentId === ALL ? {} : { agentId }),
        ...(cursor ? { cursor } : {}),
      }),
    ),
  });
  const firstPage = pages[0];
  const lastPage = pages.at(-1);
  // A task that moved between pages while they refetched would show twice; the first copy wins.
  const seen = new Set<string>();
  const tasks = pages
    .flatMap((page) => page.data?.items ?? [])
    .filter((task) => {
      if (seen.has(task.id)) return false;
      seen.add(task.id);
      return true;
    });
  const nextCursor = lastPage?.data?.nextCursor ?? null;
  const isFiltered = status !== ALL || agentId !== ALL;
  const agentNames = new Map(agents.map((agent) => [agent.id, agent.name]));

  return (
    <section className="section" aria-labelledby="tasks-heading">
      <div className="section-header">
        <h2 id="tasks-heading">Tasks of {project.name}</h2>
      </div>
      <div className={styles.filters}>
        <SelectField<TaskStatus | typeof ALL>
          label="Filter by status"
          value={status}
          options={[{ value: ALL, label: "All statuses" }, ...taskStatuses.map((value) => ({ value, label: taskStatusLabels[value] }))]}
          onChange={setStatus}
        />
        <SelectField
          label="Filter by agent"
          value={agentId}
          options={[{ value: ALL, label: "All agents" }, ...agents.map((agent) => ({ value: agent.id, label: agent.name }))]}
          onChange={setAgentId}
        />
      </div>
      {!firstPage || firstPage.isPending ? (
        <LoadingState label="Loading tasks…" />
      ) : firstPage.isError ? (
        <ErrorState error={firstPage.error} onRetry={() => firstPage.refetch()} />
      ) : tasks.length === 0 ? (
        isFiltered ? (
          <EmptyState title="No tasks match">Try another status or agent.</EmptyState>
        ) : (
          <EmptyState title="No tasks yet">
            {hasRole(project.role, "member")
              ? "Give an agent something to do with the form above."
              : "A member of the project can submit one."}
          </EmptyState>
        )
      ) : (
        <>
          <TasksTable tasks={tasks} agentNames={agentNames} />
          <div className="load-more">
            {lastPage?.isError ? <p className="inline-error">{errorMessage(lastPage.error)}</p> : null}
            {lastPage?.isFetching && cursors.length > 1 && !lastPage.data ? (
              <LoadingState label="Loading more tasks…" />
            ) : nextCursor !== null ? (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => setPaging({ filterKey, cursors: [...cursors, nextCursor] })}
              >
                Load more
              </button>
            ) : (
              <p className="muted">
                {tasks.length} task{tasks.length === 1 ? "" : "s"}
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function TasksTable({ tasks, agentNames }: { tasks: Task[]; agentNames: Map<string, string> }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Tasks">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            <th scope="col">Submitted</th>
            <th scope="col" className={styles.numeric}>
              Tokens
            </th>
            <th scope="col" className={styles.numeric}>
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.id} data-testid="task-row">
              <th scope="row" className={styles.taskCell}>
                <Link href={`/tasks/${task.id}`} title={task.input}>
                  {summaryOf(task.input)}
                </Link>
              </th>
              <td className="nowrap">{agentNames.get(task.agentId) ?? "Unknown agent"}</td>
              <td>
                <TaskStatusBadge status={task.status} />
              </td>
              <td className="nowrap">{formatDateTime(task.createdAt)}</td>
              <td className={`${styles.numeric} nowrap`}>{(task.inputTokens + task.outputTokens).toLocaleString()}</td>
              <td className={`${styles.numeric} nowrap`}>{formatUsd(task.costMicros)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The task's first line, short enough for a table cell. */
function summaryOf(input: string): string {
  const firstLine = input.trim().split("\n")[0] ?? "";
  return firstLine.length > 90 ? `${firstLine.slice(0, 90)}…` : firstLine;
}
