"use client";
/** The project's agents: server-side search, archived ones on request, paged with "Load more"; open, edit, duplicate, archive, restore. */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { ListToolbar, PagedTable, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { toast } from "~/components/ui/toast";
import { errorMessage } from "~/trpc/errors";
import { agentsPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import styles from "./agents.module.css";
import { modelLabel } from "./model-label";

type Agent = RouterOutputs["agents"]["list"]["items"][number];

export function AgentsList() {
  return <ProjectScope>{(project) => <ProjectAgents project={project} />}</ProjectScope>;
}

function ProjectAgents({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  const [includeArchived, setIncludeArchived] = useState(false);
  const list = usePagedList<Agent>(
    `${includeArchived}:${search}`,
    (cursor) => trpc.agents.list.queryOptions(agentsPageInput(project.id, { search, includeArchived }, cursor)),
    (agent) => agent.id,
  );
  const canEdit = hasRole(project.role, "member");
  const actions = useAgentActions(project);

  return (
    <section className="section" aria-labelledby="agents-heading">
      <div className="section-header">
        <h2 id="agents-heading">Agents of {project.name}</h2>
        {canEdit ? (
          <Button asChild variant="primary">
            <Link href="/agents/new">New agent</Link>
          </Button>
        ) : null}
      </div>
      <ListToolbar searchLabel="Search agents" placeholder="Search by name or role" value={searchText} onChange={setSearchText}>
        <label className={styles.checkbox}>
          <input type="checkbox" checked={includeArchived} onChange={(event) => setIncludeArchived(event.target.checked)} />
          Show archived
        </label>
      </ListToolbar>
      <PagedTable
        list={list}
        label="Agents"
        noun={{ one: "agent", other: "agents" }}
        columns={[
          { header: "Name" },
          { header: "Role" },
          { header: "Model" },
          { header: "Updated" },
          { header: "Actions", isHeaderHidden: true },
        ]}
        rowKey={(agent) => agent.id}
        isFiltered={search !== "" || includeArchived}
        filterSummary={search ? `matching “${search}”` : "including archived"}
        emptyFiltered={
          <EmptyState title="No agents match">Try other words{includeArchived ? "" : ", or show archived agents"}.</EmptyState>
        }
        empty={
          <EmptyState title="No agents yet">
            {canEdit
              ? "Create one with “New agent”: the offline demo model works without any API key."
              : "A member of the project can create one."}
          </EmptyState>
        }
        renderRow={(agent) => <AgentCells project={project} agent={agent} canEdit={canEdit} actions={actions} />}
      />
    </section>
  );
}

/**
 * Each action refreshes exactly what it changed: the agents lists (any search or filter, since the agent may
 * enter or leave one) and that agent's own query; a duplicate adds a list entry only.
 */
function useAgentActions(project: AccountProject) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const refreshLists = () => queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
  const refreshAgent = (agentId: string) =>
    Promise.all([
      refreshLists(),
      queryClient.invalidateQueries({ queryKey: trpc.agents.get.queryKey({ projectId: project.id, agentId }) }),
    ]);
  const duplicate = useMutation(
    trpc.agents.duplicate.mutationOptions({
      onSuccess: async (copy) => {
        await refreshLists();
        toast.success(`Duplicated as “${copy.name}”`);
        router.push(`/agents/${copy.id}/edit`);
      },
      onError: (error) => toast.error(`Could not duplicate the agent: ${errorMessage(error)}`),
    }),
  );
  const archive = useMutation(
    trpc.agents.archive.mutationOptions({
      onSuccess: async (_result, variables) => {
        await refreshAgent(variables.agentId);
        toast.success("Agent archived");
      },
      onError: (error) => toast.error(`Could not archive the agent: ${errorMessage(error)}`),
    }),
  );
  const restore = useMutation(
    trpc.agents.restore.mutationOptions({
      onSuccess: async (_result, variables) => {
        await refreshAgent(variables.agentId);
        toast.success("Agent restored");
      },
      onError: (error) => toast.error(`Could not restore the agent: ${errorMessage(error)}`),
    }),
  );
  return { duplicate, archive, restore };
}

function AgentCells({
  project,
  agent,
  canEdit,
  actions: { duplicate, archive, restore },
}: {
  project: AccountProject;
  agent: Agent;
  canEdit: boolean;
  actions: ReturnType<typeof useAgentActions>;
}) {
  const isArchived = agent.archivedAt !== null;
  return (
    <>
      <th scope="row">
        {isArchived ? agent.name : <Link href={`/agents/${agent.id}`}>{agent.name}</Link>}
        {isArchived ? <Badge tone="quiet">Archived</Badge> : null}
      </th>
      <td className="cell-wrap">{agent.role}</td>
      <td className="mono nowrap">{modelLabel(agent.model)}</td>
      <td className="nowrap">{formatDateTime(agent.updatedAt)}</td>
      <td className="cell-actions">
        {isArchived ? null : (
          <Button asChild size="small">
            <Link href={`/agents/${agent.id}`} aria-label={`Open ${agent.name}`}>
              Open
            </Link>
          </Button>
        )}
        {canEdit && !isArchived ? (
          <>
            <Button asChild variant="ghost" size="small">
              <Link href={`/agents/${agent.id}/edit`} aria-label={`Edit ${agent.name}`}>
                Edit
              </Link>
            </Button>
            <Button
              variant="ghost"
              size="small"
              aria-label={`Duplicate ${agent.name}`}
              disabled={duplicate.isPending}
              onClick={() => duplicate.mutate({ projectId: project.id, agentId: agent.id })}
            >
              {duplicate.isPending && duplicate.variables?.agentId === agent.id ? "Duplicating…" : "Duplicate"}
            </Button>
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
          <Button
            size="small"
            aria-label={`Restore ${agent.name}`}
            disabled={restore.isPending && restore.variables?.agentId === agent.id}
            onClick={() => restore.mutate({ projectId: project.id, agentId: agent.id })}
          >
            Restore
          </Button>
        ) : null}
      </td>
    </>
  );
}
