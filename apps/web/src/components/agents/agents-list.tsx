"use client";
/** The project's agents: server-side search, archived ones on request, paged with "Load more"; open, edit, duplicate, archive, restore. */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./agents.module.css";
import { modelLabel } from "./model-label";

type Agent = RouterOutputs["agents"]["list"]["items"][number];

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;

export function AgentsList() {
  return <ProjectScope>{(project) => <ProjectAgents project={project} />}</ProjectScope>;
}

/** The search text once typing pauses, so each keystroke does not cost a request. */
function useSettledValue(value: string, delayMs: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

function ProjectAgents({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const searchId = useId();
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim(), SEARCH_DELAY_MS);
  const [includeArchived, setIncludeArchived] = useState(false);
  // The cursor of each loaded page (undefined for the first, then each page's nextCursor), for one filter:
  // a new search or toggle starts again from the first page.
  const filterKey = `${includeArchived}:${search}`;
  const [paging, setPaging] = useState<{ filterKey: string; cursors: (string | undefined)[] }>({ filterKey, cursors: [undefined] });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [undefined];

  const pages = useQueries({
    queries: cursors.map((cursor) =>
      trpc.agents.list.queryOptions({ projectId: project.id, search: search || undefined, includeArchived, limit: PAGE_SIZE, cursor }),
    ),
  });
  const firstPage = pages[0];
  const lastPage = pages.at(-1);
  const agents = pages.flatMap((page) => page.data?.items ?? []);
  const nextCursor = lastPage?.data?.nextCursor ?? null;
  const canEdit = hasRole(project.role, "member");
  const isFiltered = search !== "" || includeArchived;

  return (
    <section className="section" aria-labelledby="agents-heading">
      <div className="section-header">
        <h2 id="agents-heading">Agents of {project.name}</h2>
        {canEdit ? (
          <Link href="/agents/new" className="button button-primary">
            New agent
          </Link>
        ) : null}
      </div>
      <div className={styles.search}>
        <label htmlFor={searchId} className="visually-hidden">
          Search agents
        </label>
        <input
          id={searchId}
          type="search"
          placeholder="Search by name or role"
          value={searchText}
          maxLength={100}
          onChange={(event) => setSearchText(event.target.value)}
        />
        <label className={styles.checkbox}>
          <input type="checkbox" checked={includeArchived} onChange={(event) => setIncludeArchived(event.target.checked)} />
          Show archived
        </label>
      </div>
      {!firstPage || firstPage.isPending ? (
        <LoadingState label="Loading agents…" />
      ) : firstPage.isError ? (
        <ErrorState error={firstPage.error} onRetry={() => firstPage.refetch()} />
      ) : agents.length === 0 ? (
        isFiltered ? (
          <EmptyState title="No agents match">Try other words{includeArchived ? "" : ", or show archived agents"}.</EmptyState>
        ) : (
          <EmptyState title="No agents yet">
            {canEdit
              ? "Create one with “New agent”: the offline demo model works without any API key."
              : "A member of the project can create one."}
          </EmptyState>
        )
      ) : (
        <>
          <AgentsTable project={project} agents={agents} canEdit={canEdit} />
          <div className="load-more">
            {lastPage?.isError ? <p className="inline-error">{errorMessage(lastPage.error)}</p> : null}
            {lastPage?.isFetching && cursors.length > 1 ? (
              <LoadingState label="Loading more agents…" />
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
                {agents.length} agent{agents.length === 1 ? "" : "s"}
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function AgentsTable({ project, agents, canEdit }: { project: AccountProject; agents: Agent[]; canEdit: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const refreshList = () => queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
  const duplicate = useMutation(
    trpc.agents.duplicate.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async (copy) => {
        await refreshList();
        router.push(`/agents/${copy.id}/edit`);
      },
      onError: (error) => setFailure(`Could not duplicate the agent: ${errorMessage(error)}`),
    }),
  );
  const archive = useMutation(
    trpc.agents.archive.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: refreshList,
      onError: (error) => setFailure(`Could not archive the agent: ${errorMessage(error)}`),
    }),
  );
  const restore = useMutation(
    trpc.agents.restore.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: refreshList,
      onError: (error) => setFailure(`Could not restore the agent: ${errorMessage(error)}`),
    }),
  );

  return (
    <>
      <InlineError message={failure} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Model</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((agent) => {
              const isArchived = agent.archivedAt !== null;
              return (
                <tr key={agent.id}>
                  <th scope="row">
                    {isArchived ? agent.name : <Link href={`/agents/${agent.id}`}>{agent.name}</Link>}
                    {isArchived ? <span className="badge badge-quiet">Archived</span> : null}
                  </th>
                  <td className="cell-wrap">{agent.role}</td>
                  <td className="mono nowrap">{modelLabel(agent.model)}</td>
                  <td className="nowrap">{formatDateTime(agent.updatedAt)}</td>
                  <td className="cell-actions">
                    {isArchived ? null : (
                      <Link href={`/agents/${agent.id}`} className="button button-secondary button-small" aria-label={`Open ${agent.name}`}>
                        Open
                      </Link>
                    )}
                    {canEdit && !isArchived ? (
                      <>
                        <Link
                          href={`/agents/${agent.id}/edit`}
                          className="button button-ghost button-small"
                          aria-label={`Edit ${agent.name}`}
                        >
                          Edit
                        </Link>
                        <button
                          type="button"
                          className="button button-ghost button-small"
                          aria-label={`Duplicate ${agent.name}`}
                          disabled={duplicate.isPending}
                          onClick={() => duplicate.mutate({ projectId: project.id, agentId: agent.id })}
                        >
                          {duplicate.isPending && duplicate.variables?.agentId === agent.id ? "Duplicating…" : "Duplicate"}
                        </button>
                        <ConfirmButton
                          label="Archive"
                          accessibleLabel={`Archive ${agent.name}`}
                          prompt={`Archive “${agent.name}”? It stops answering until restored.`}
                          confirmLabel="Archive agent"
                          isPending={archive.isPending && archive.variables?.agentId === agent.id}
                          onConfirm={() => archive.mutate({ projectId: project.id, agentId: agent.id })}
                        />
                      </>
                    ) : null}
                    {canEdit && isArchived ? (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`Restore ${agent.name}`}
                        disabled={restore.isPending && restore.variables?.agentId === agent.id}
                        onClick={() => restore.mutate({ projectId: project.id, agentId: agent.id })}
                      >
                        Restore
                      </button>
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
