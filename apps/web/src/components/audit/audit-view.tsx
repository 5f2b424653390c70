"use client";
/**
 * The project's audit log: newest first, searched (targets and details) and filtered by action on the server,
 * paged with "Load more", and a check of the hash chain.
 */
import type { RouterOutputs } from "@gathering/api";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState } from "~/components/feedback";
import { formatDateTime } from "~/components/format";
import { type CursorPage, ListToolbar, PagedTable, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { errorMessage } from "~/trpc/errors";
import { type AuditAction, auditPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";

type AuditEvent = RouterOutputs["audit"]["list"]["events"][number];

const actionLabels: Record<AuditAction, string> = {
  "auth.sign_up": "Signed up",
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "project.create": "Project created",
  "project.rename": "Project renamed",
  "member.invite": "Member invited",
  "member.invitation_revoke": "Invitation cancelled",
  "member.join": "Member joined",
  "member.role_change": "Role changed",
  "member.remove": "Member removed",
  "token.create": "API token created",
  "token.revoke": "API token revoked",
  "settings.update": "Settings changed",
  "secrets.rotate": "Secrets re-encrypted",
  "agent.create": "Agent created",
  "agent.update": "Agent edited",
  "agent.archive": "Agent archived",
  "agent.restore": "Agent restored",
  "agent.memory_delete": "Agent memory deleted",
  "usage.settings_update": "Prices or budgets changed",
  "task.cancel": "Task cancelled",
  "workspace.write": "File written",
  "workspace.delete": "File deleted",
  "workspace.rename": "File renamed",
  "tool.approve": "Tool call approved",
  "tool.reject": "Tool call rejected",
  "mcp.create": "MCP server added",
  "mcp.update": "MCP server changed",
  "mcp.delete": "MCP server deleted",
  "pipeline.create": "Pipeline created",
  "pipeline.update": "Pipeline saved as a new version",
  "pipeline.archive": "Pipeline archived",
  "pipeline.restore": "Pipeline restored",
  "pipeline.run": "Pipeline run started",
  "pipeline.cancel": "Pipeline run cancelled",
  "pipeline.approve": "Pipeline step approved",
  "pipeline.reject": "Pipeline step rejected",
  "schedule.create": "Schedule created",
  "schedule.update": "Schedule changed",
  "schedule.pause": "Schedule paused",
  "schedule.resume": "Schedule resumed",
  "schedule.delete": "Schedule deleted",
  "schedule.run_now": "Schedule run now",
  "circle.create": "Circle created",
  "circle.update": "Circle edited",
  "circle.archive": "Circle archived",
  "circle.restore": "Circle restored",
  "circle.run": "Circle run started",
  "circle.pause": "Circle run paused",
  "circle.resume": "Circle run resumed",
  "circle.cancel": "Circle run stopped",
  "circle.message": "Message posted to a circle run",
  "conversation.create": "Conversation started",
  "conversation.archive": "Conversation archived",
  "knowledge.create": "Knowledge base created",
  "knowledge.update": "Knowledge base changed",
  "knowledge.delete": "Knowledge base deleted",
  "knowledge.document_add": "Document added",
  "knowledge.document_delete": "Document deleted",
  "knowledge.document_retry": "Document retried",
  "knowledge.reindex": "Knowledge base re-indexed",
};
const actions = Object.keys(actionLabels) as AuditAction[];

function labelOf(action: string): string {
  return actionLabels[action as AuditAction] ?? action;
}

export function AuditView() {
  return <ProjectScope>{(project) => <ProjectAudit project={project} />}</ProjectScope>;
}

function ProjectAudit({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const filterId = useId();
  const [action, setAction] = useState<AuditAction | "">("");
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  // "Refresh" starts again from the newest page: a new generation is a new filter for the paging.
  const [generation, setGeneration] = useState(0);
  const members = useQuery(trpc.members.list.queryOptions({ projectId: project.id }));
  const list = usePagedList<AuditEvent>(
    `${action}:${search}:${generation}`,
    (cursor) =>
      trpc.audit.list.queryOptions(auditPageInput(project.id, { search, action }, cursor), {
        // Not refetched behind the reader's back, which would shift the pages under the cursors; each visit
        // renders fresh on the server.
        refetchOnWindowFocus: false,
        // The audit log pages by event id; the paged list keeps cursors as strings.
        select: (page): CursorPage<AuditEvent> => ({
          items: page.events,
          nextCursor: page.nextBeforeId === null ? null : String(page.nextBeforeId),
        }),
      }),
    (event) => String(event.id),
  );

  const nameOf = (userId: string | null) => {
    if (!userId) return "System";
    const member = members.data?.find((candidate) => candidate.userId === userId);
    return member ? member.name : `Former member (${userId.slice(0, 8)})`;
  };

  function showFromNewest() {
    setGeneration((current) => current + 1);
    void queryClient.invalidateQueries({ queryKey: trpc.audit.list.queryKey() });
  }

  // Without access (below admin) there is nothing to filter or verify; the API's refusal says what is needed.
  const refusal = list.first?.isError && !action && !search ? list.first : null;
  if (refusal?.error) return <ErrorState error={refusal.error} onRetry={() => refusal.refetch()} />;
  const filterSummary = [search ? `matching “${search}”` : null, action ? `of “${labelOf(action)}”` : null].filter(Boolean).join(", ");

  return (
    <>
      <VerifyChain project={project} />
      <section className="section" aria-labelledby="events-heading">
        <div className="section-header">
          <h2 id="events-heading">Events</h2>
          <div className="toolbar">
            <label htmlFor={filterId}>Action</label>
            <select
              id={filterId}
              value={action}
              onChange={(event) => setAction(actions.find((candidate) => candidate === event.target.value) ?? "")}
            >
              <option value="">All actions</option>
              {actions.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {actionLabels[candidate]}
                </option>
              ))}
            </select>
            <button type="button" className="button button-ghost" onClick={showFromNewest}>
              Refresh
            </button>
          </div>
        </div>
        <ListToolbar
          searchLabel="Search audit events"
          placeholder="Search targets and details"
          value={searchText}
          onChange={setSearchText}
        />
        <PagedTable
          list={list}
          label="Audit events, newest first"
          noun={{ one: "event", other: "events" }}
          columns={[{ header: "When" }, { header: "Action" }, { header: "By" }, { header: "Target" }, { header: "Details" }]}
          rowKey={(event) => String(event.id)}
          rowData={(event) => ({ "data-event-id": String(event.id) })}
          isFiltered={filterSummary !== ""}
          filterSummary={filterSummary}
          emptyFiltered={
            <EmptyState title={action ? `No “${labelOf(action)}” events${search ? " match" : ""}` : "No events match"}>
              {action ? "Choose “All actions” to see everything." : "Try other words."}
            </EmptyState>
          }
          empty={<EmptyState title="No events yet">Changes to the project will show up here.</EmptyState>}
          renderRow={(event) => (
            <>
              <td className="nowrap">{formatDateTime(event.createdAt)}</td>
              <td>
                <span className="badge badge-quiet" title={event.action}>
                  {labelOf(event.action)}
                </span>
              </td>
              <td>{nameOf(event.actorUserId)}</td>
              <td className="cell-wrap">{event.target ?? "—"}</td>
              <td className="cell-wrap muted">{describeMetadata(event.metadata)}</td>
            </>
          )}
        />
      </section>
    </>
  );
}

function describeMetadata(metadata: unknown): string {
  if (!metadata || typeof metadata !== "object") return "";
  return Object.entries(metadata as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `${key}: ${Array.isArray(value) ? value.join(", ") : typeof value === "object" ? JSON.stringify(value) : String(value)}`,
    )
    .join("; ");
}

function VerifyChain({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  // Run on request only, and forgotten on leaving: an old "intact" must never pass for a current one.
  const verification = useQuery(trpc.audit.verify.queryOptions({ projectId: project.id }, { enabled: false, gcTime: 0, retry: false }));

  return (
    <section className="section panel verify" aria-labelledby="verify-heading">
      <div>
        <h2 id="verify-heading">Tamper check</h2>
        <p className="muted">Each event carries a hash of the one before it. Verifying recomputes the whole chain.</p>
      </div>
      <div className="verify-action">
        <button type="button" className="button button-secondary" onClick={() => verification.refetch()} disabled={verification.isFetching}>
          {verification.isFetching ? "Verifying…" : "Verify chain"}
        </button>
        <div role="status" className="verify-result">
          {verification.isFetching ? null : verification.isError ? (
            <span className="inline-error">{errorMessage(verification.error)}</span>
          ) : verification.data ? (
            verification.data.isValid ? (
              <span className="badge badge-ok">
                Chain intact: {verification.data.checked} event{verification.data.checked === 1 ? "" : "s"} checked
              </span>
            ) : (
              <span className="badge badge-bad">Chain broken at event #{verification.data.firstInvalidId}</span>
            )
          ) : null}
        </div>
      </div>
    </section>
  );
}
