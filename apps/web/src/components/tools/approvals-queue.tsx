"use client";
/**
 * The project's tool calls that wait for a person, across every chat and task, kept current from
 * `approvals.changed` events; below them the latest decisions. A decision is final (the API refuses a
 * second one). A task's call goes back to the queue by itself; a chat's is continued here with
 * `agents.resume`, as the chat page does, so the approved call runs (or its rejection reaches the model).
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { appCodeOf, errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import type { Approval } from "./shared";

type Decision = RouterOutputs["tools"]["approve"];

import styles from "./tools.module.css";

const RECENT_DECISIONS = 10;

const statusLabels: Record<Approval["status"], string> = {
  pending: "Pending",
  approved: "Approved",
  rejected: "Rejected",
  used: "Approved and run",
};

/** The agents' names by id; null while they load. */
type AgentNames = Map<string, string> | null;

export function ApprovalsQueue({ project, agentNames }: { project: AccountProject; agentNames: AgentNames }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pending = useQuery(trpc.tools.approvals.queryOptions({ projectId: project.id, status: "pending" }));
  // Newest first, all statuses: the decided ones make the history.
  const all = useQuery(trpc.tools.approvals.queryOptions({ projectId: project.id }));
  // The API orders by when the call was made; a decision reads best by when it was taken.
  const decided = (all.data ?? [])
    .filter((approval) => approval.status !== "pending")
    .sort((a, b) => (b.decidedAt?.getTime() ?? 0) - (a.decidedAt?.getTime() ?? 0))
    .slice(0, RECENT_DECISIONS);
  const canDecide = hasRole(project.role, "member");
  // Here, not in the row: the row leaves the list once decided, while the chat may still be carrying on.
  const resume = useMutation(
    trpc.agents.resume.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.agents.sessions.get.queryKey() }),
    }),
  );

  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.tools.approvals.queryKey() });
  useSubscription(
    trpc.events.subscribe.subscriptionOptions(
      { projectId: project.id, topics: ["approvals.changed"] },
      // Once (re)connected, refresh: a call that started waiting before then is not missed.
      { onStarted: refresh, onData: refresh },
    ),
  );

  return (
    <section className="section" aria-labelledby="approvals-heading">
      <div className="section-header">
        <h2 id="approvals-heading">Waiting for approval</h2>
      </div>
      {pending.isPending ? (
        <LoadingState label="Loading approvals…" />
      ) : pending.isError ? (
        <ErrorState error={pending.error} onRetry={() => pending.refetch()} />
      ) : pending.data.length === 0 ? (
        <EmptyState title="Nothing waits for approval">
          Calls to tools that need a person’s yes appear here as soon as an agent makes them.
        </EmptyState>
      ) : (
        <ul className={styles.approvals} aria-label="Pending approvals">
          {pending.data.map((approval) => (
            <PendingApproval
              key={approval.id}
              project={project}
              approval={approval}
              agentNames={agentNames}
              canDecide={canDecide}
              onDecided={(decision) => {
                // A chat carries on only when asked; a task is already back in the queue.
                if (decision.resumed === "chat") resume.mutate({ projectId: project.id, sessionId: decision.sessionId });
              }}
            />
          ))}
        </ul>
      )}
      <p className="save-status" role="status">
        {resume.isPending ? "The agent carries on in its chat…" : ""}
      </p>
      {resume.error ? (
        <InlineError
          message={
            appCodeOf(resume.error) === "FORBIDDEN"
              ? "Decided. The chat belongs to someone else: it carries on when they resume it."
              : `Decided, but the chat did not carry on: ${errorMessage(resume.error)}`
          }
        />
      ) : null}
      {decided.length > 0 ? (
        <div className={styles.decisions}>
          <h3 className={styles.categoryHeading}>Recent decisions</h3>
          <div className="table-wrap">
            <table className="table" aria-label="Recent decisions">
              <thead>
                <tr>
                  <th scope="col">Tool</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Decided</th>
                </tr>
              </thead>
              <tbody>
                {decided.map((approval) => (
                  <tr key={approval.id} data-testid="decision-row">
                    <th scope="row" className="mono nowrap">
                      {approval.toolName}
                    </th>
                    <td className="nowrap">
                      <AgentLink project={project} agentId={approval.agentId} agentNames={agentNames} />
                    </td>
                    <td className="nowrap">
                      <span className={`badge ${approval.status === "rejected" ? "badge-bad" : "badge-ok"}`}>
                        {statusLabels[approval.status]}
                      </span>
                    </td>
                    <td className="cell-wrap">{approval.reason ?? <span className="muted">—</span>}</td>
                    <td className="nowrap">{formatDateTime(approval.decidedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </section>
  );
}

function PendingApproval({
  project,
  approval,
  agentNames,
  canDecide,
  onDecided,
}: {
  project: AccountProject;
  approval: Approval;
  agentNames: AgentNames;
  canDecide: boolean;
  onDecided: (decision: Decision) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const agentName = useAgentName(project, approval.agentId, agentNames);
  const decide = useMutation(
    trpc.tools.approve.mutationOptions({
      onSuccess: async (decision) => {
        onDecided(decision);
        await queryClient.invalidateQueries({ queryKey: trpc.tools.approvals.queryKey() });
      },
    }),
  );
  const isBusy = decide.isPending || decide.isSuccess;
  const reasonId = `reason-${approval.id}`;

  return (
    <li className={styles.approval} aria-label={`${approval.toolName} by ${agentName}`} data-testid="pending-approval">
      <p className={styles.approvalSummary}>
        <strong className="mono">{approval.toolName}</strong>
        <span>
          called by <Link href={`/agents/${approval.agentId}`}>{agentName}</Link>
        </span>
        <span className="muted">{formatDateTime(approval.createdAt)}</span>
      </p>
      <p className="muted">It runs with exactly these arguments, once:</p>
      <pre className={styles.code}>{JSON.stringify(approval.arguments, null, 2)}</pre>
      {canDecide ? (
        <div className={styles.approvalActions}>
          <label className="visually-hidden" htmlFor={reasonId}>
            Reason (optional)
          </label>
          <input
            id={reasonId}
            placeholder="Reason for rejecting (optional)"
            value={reason}
            maxLength={1000}
            disabled={isBusy}
            onChange={(event) => setReason(event.target.value)}
          />
          <button
            type="button"
            className="button button-primary"
            disabled={isBusy}
            onClick={() => decide.mutate({ projectId: project.id, approvalId: approval.id, approve: true })}
          >
            Approve
          </button>
          <button
            type="button"
            className="button button-secondary"
            disabled={isBusy}
            onClick={() =>
              decide.mutate({
                projectId: project.id,
                approvalId: approval.id,
                approve: false,
                ...(reason.trim() ? { reason: reason.trim() } : {}),
              })
            }
          >
            Reject
          </button>
        </div>
      ) : (
        <p className="muted">A member of the project can approve or reject it.</p>
      )}
      <InlineError message={decide.error ? errorMessage(decide.error) : null} />
    </li>
  );
}

/**
 * An agent's name: from the project's list, or, for an agent made after the list loaded (the usual case
 * for a call that has just come in), fetched on its own.
 */
function useAgentName(project: AccountProject, agentId: string, agentNames: AgentNames): string {
  const trpc = useTRPC();
  const known = agentNames?.get(agentId);
  const agent = useQuery({
    ...trpc.agents.get.queryOptions({ projectId: project.id, agentId }),
    enabled: agentNames !== null && known === undefined,
  });
  return known ?? agent.data?.name ?? "an agent";
}

function AgentLink({ project, agentId, agentNames }: { project: AccountProject; agentId: string; agentNames: AgentNames }) {
  return <Link href={`/agents/${agentId}`}>{useAgentName(project, agentId, agentNames)}</Link>;
}
