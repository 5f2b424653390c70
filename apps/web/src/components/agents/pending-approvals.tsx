"use client";
/**
 * Tool calls in this chat that wait for a person: the tool, its exact arguments, Approve and Reject.
 * A decision is final (the API refuses a second one); after it the chat resumes (`agents.resume`), so
 * the approved call runs, or its rejection is reported to the model, and the agent carries on.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { hasRole } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./agents.module.css";

type Approval = RouterOutputs["tools"]["approvals"][number];

export function PendingApprovals({
  project,
  sessionId,
  onResumed,
}: {
  project: AccountProject;
  sessionId: string;
  onResumed: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const approvalsQuery = trpc.tools.approvals.queryOptions({ projectId: project.id, sessionId, status: "pending" });
  const approvals = useQuery(approvalsQuery);
  const [reason, setReason] = useState("");
  const canDecide = hasRole(project.role, "member");
  const resume = useMutation(trpc.agents.resume.mutationOptions({ onSettled: () => onResumed() }));
  const decide = useMutation(
    trpc.tools.approve.mutationOptions({
      onSuccess: async () => {
        setReason("");
        await queryClient.invalidateQueries({ queryKey: approvalsQuery.queryKey });
        resume.mutate({ projectId: project.id, sessionId });
      },
    }),
  );
  const pending: Approval[] = approvals.data ?? [];
  if (pending.length === 0 && !resume.isPending && !resume.error && !decide.error) return null;

  return (
    <section className={styles.approvals} aria-label="Waiting for approval">
      {pending.map((approval) => (
        <div key={approval.id} className={styles.approval}>
          <p>
            <strong>{approval.toolName}</strong> waits for your approval. It runs with exactly these arguments, once:
          </p>
          <pre className={styles.approvalArguments}>{JSON.stringify(approval.arguments, null, 2)}</pre>
          {canDecide ? (
            <div className={styles.approvalActions}>
              <label className="visually-hidden" htmlFor={`reason-${approval.id}`}>
                Reason (optional)
              </label>
              <input
                id={`reason-${approval.id}`}
                className="input"
                placeholder="Reason for rejecting (optional)"
                value={reason}
                onChange={(event) => setReason(event.target.value)}
              />
              <button
                type="button"
                className="button button-primary"
                disabled={decide.isPending || resume.isPending}
                onClick={() => decide.mutate({ projectId: project.id, approvalId: approval.id, approve: true })}
              >
                Approve
              </button>
              <button
                type="button"
                className="button button-secondary"
                disabled={decide.isPending || resume.isPending}
                onClick={() =>
                  decide.mutate({ projectId: project.id, approvalId: approval.id, approve: false, ...(reason.trim() ? { reason } : {}) })
                }
              >
                Reject
              </button>
            </div>
          ) : (
            <p className="muted">A member of the project can approve or reject it.</p>
          )}
        </div>
      ))}
      {resume.isPending ? <p className="muted">The agent carries on…</p> : null}
      {decide.error ? (
        <p className="error" role="alert">
          {errorMessage(decide.error)}
        </p>
      ) : null}
      {resume.error ? (
        <p className="error" role="alert">
          {errorMessage(resume.error)}
        </p>
      ) : null}
    </section>
  );
}
