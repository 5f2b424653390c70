"use client";
/**
 * /tasks: give an agent a piece of background work, and follow the project's tasks as the worker runs
 * them. Statuses change live from `tasks.changed` events; the list searches what was asked and filters by
 * status and agent on the server, and pages with "Load more".
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { formatDateTime, formatNumber, hasRole } from "~/components/format";
import { ListToolbar, PagedTable, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { ALL, agentNamesInput, type TasksFilter, tasksPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import { formatUsd, type Task, taskStatuses, taskStatusLabels } from "./shared";
import { TaskStatusBadge } from "./task-status-badge";
import styles from "./tasks.module.css";
import { useLiveTasks } from "./use-live-tasks";

type Agent = RouterOutputs["agents"]["list"]["items"][number];

export function TasksView() {
  return <ProjectScope>{(project) => <ProjectTasks project={project} />}</ProjectScope>;
}

function ProjectTasks({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  useLiveTasks(project.id);
  // Archived agents too: their past tasks still need a name.
  const agents = useQuery(trpc.agents.list.queryOptions(agentNamesInput(project.id)));
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
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  const [status, setStatus] = useState<TasksFilter["status"]>(ALL);
  const [agentId, setAgentId] = useState<TasksFilter["agentId"]>(ALL);
  const list = usePagedList<Task>(
    `${status}:${agentId}:${search}`,
    (cursor) => trpc.tasks.list.queryOptions(tasksPageInput(project.id, { search, status, agentId }, cursor)),
    (task) => task.id,
  );
  const agentNames = new Map(agents.map((agent) => [agent.id, agent.name]));
  const filterSummary = [
    search ? `matching “${search}”` : null,
    status !== ALL ? `with status ${taskStatusLabels[status]}` : null,
    agentId !== ALL ? `of ${agentNames.get(agentId) ?? "the chosen agent"}` : null,
  ]
    .filter(Boolean)
    .join(", ");

  return (
    <section className="section" aria-labelledby="tasks-heading">
      <div className="section-header">
        <h2 id="tasks-heading">Tasks of {project.name}</h2>
      </div>
      <div className={styles.filters}>
        <SelectField<TasksFilter["status"]>
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
      <ListToolbar searchLabel="Search tasks" placeholder="Search what the agents were asked" value={searchText} onChange={setSearchText} />
      <PagedTable
        list={list}
        label="Tasks"
        noun={{ one: "task", other: "tasks" }}
        columns={[
          { header: "Task" },
          { header: "Agent" },
          { header: "Status" },
          { header: "Submitted" },
          { header: "Tokens", className: styles.numeric },
          { header: "Cost", className: styles.numeric },
        ]}
        rowKey={(task) => task.id}
        rowTestId="task-row"
        isFiltered={filterSummary !== ""}
        filterSummary={filterSummary}
        emptyFiltered={<EmptyState title="No tasks match">Try other words, another status or agent.</EmptyState>}
        empty={
          <EmptyState title="No tasks yet">
            {hasRole(project.role, "member")
              ? "Give an agent something to do with the form above."
              : "A member of the project can submit one."}
          </EmptyState>
        }
        renderRow={(task) => (
          <>
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
            <td className={`${styles.numeric} nowrap`}>{formatNumber(task.inputTokens + task.outputTokens)}</td>
            <td className={`${styles.numeric} nowrap`}>{formatUsd(task.costMicros)}</td>
          </>
        )}
      />
    </section>
  );
}

/** The task's first line, short enough for a table cell. */
function summaryOf(input: string): string {
  const firstLine = input.trim().split("\n")[0] ?? "";
  return firstLine.length > 90 ? `${firstLine.slice(0, 90)}…` : firstLine;
}
