"use client";
/** Invitation links: made here and shown once (there is no mail server), listed until used, cancelled here. */
import type { ProjectRole, RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { CopyField } from "~/components/copy-field";
import type { AccountProject } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { formatDate, formatDateTime, grantableRoles, roleLabels } from "~/components/format";
import { errorMessage, fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

type CreatedInvitation = RouterOutputs["members"]["invite"];

export function InvitationsSection({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.members.listInvitations.queryOptions({ projectId: project.id }));
  const [cancelFailure, setCancelFailure] = useState<string | null>(null);
  const cancel = useMutation(
    trpc.members.cancelInvitation.mutationOptions({
      onMutate: () => setCancelFailure(null),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.members.listInvitations.queryKey({ projectId: project.id }) }),
      onError: (error) => setCancelFailure(`Could not cancel the invitation: ${errorMessage(error)}`),
    }),
  );

  return (
    <>
      <InviteForm project={project} />
      <section className="section" aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Pending invitations</h2>
        {invitations.isPending ? (
          <LoadingState label="Loading invitations…" />
        ) : invitations.isError ? (
          <ErrorState error={invitations.error} onRetry={() => invitations.refetch()} />
        ) : invitations.data.length === 0 ? (
          <EmptyState title="No pending invitations">Links that were used, cancelled or have expired are not listed.</EmptyState>
        ) : (
          <>
            <InlineError message={cancelFailure} />
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Invited</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.data.map((invitation) => (
                    <tr key={invitation.id}>
                      <th scope="row">{invitation.email}</th>
                      <td>{roleLabels[invitation.role]}</td>
                      <td>{formatDate(invitation.createdAt)}</td>
                      <td>{formatDateTime(invitation.expiresAt)}</td>
                      <td className="cell-actions">
                        <button
                          type="button"
                          className="button button-danger-quiet"
                          aria-label={`Cancel the invitation for ${invitation.email}`}
                          disabled={cancel.isPending && cancel.variables?.invitationId === invitation.id}
                          onClick={() => cancel.mutate({ projectId: project.id, invitationId: invitation.id })}
                        >
                          Cancel invitation
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </>
  );
}

function InviteForm({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<ProjectRole>("member");
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: (invitation) => {
        setCreated(invitation);
        setEmail("");
        return queryClient.invalidateQueries({ queryKey: trpc.members.listInvitations.queryKey({ projectId: project.id }) });
      },
    }),
  );
  const fieldErrors = fieldErrorsOf(invite.error);

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    invite.mutate({ projectId: project.id, email, role });
  }

  return (
    <section className="section panel" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <p className="muted">You get a link to pass on; whoever opens it signs up (or signs in) with this email address and joins.</p>
      <form className="form-inline" onSubmit={handleSubmit} noValidate>
        <TextField
          label="Email address"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldErrors.email}
          required
        />
        <SelectField label="Role" value={role} options={grantableRoles(project.role)} onChange={setRole} error={fieldErrors.role} />
        <button type="submit" className="button button-primary" disabled={invite.isPending}>
          {invite.isPending ? "Creating…" : "Create invitation link"}
        </button>
      </form>
      <InlineError message={formErrorMessage(invite.error, ["email", "role"])} />
      {created ? <InvitationLink invitation={created} onDismiss={() => setCreated(null)} /> : null}
    </section>
  );
}

function InvitationLink({ invitation, onDismiss }: { invitation: CreatedInvitation; onDismiss: () => void }) {
  const link = `${window.location.origin}/invite/${encodeURIComponent(invitation.token)}`;
  return (
    <div className="callout callout-success">
      <p className="callout-title">
        Invitation link for {invitation.email} ({roleLabels[invitation.role]})
      </p>
      <p>
        Send this link to them yourself. It works once, only for {invitation.email}, until {formatDateTime(invitation.expiresAt)}. It is
        shown only now.
      </p>
      <CopyField label="Invitation link" value={link} />
      <button type="button" className="button button-ghost" onClick={onDismiss}>
        Done
      </button>
    </div>
  );
}
