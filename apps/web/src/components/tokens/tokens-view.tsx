"use client";
/** API tokens for the SDK and CLI: create (the secret is shown once), list without secrets, revoke. */
import type { ProjectRole, RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { CopyField } from "~/components/copy-field";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { formatDate, formatDateTime, grantableRoles, hasRole, roleLabels } from "~/components/format";
import { errorMessage, fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

type ApiToken = RouterOutputs["tokens"]["list"][number];
type CreatedToken = RouterOutputs["tokens"]["create"];

const expiryOptions = [
  { value: "never", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In a year" },
] as const;
type Expiry = (typeof expiryOptions)[number]["value"];

export function TokensView() {
  return <ProjectScope>{(project) => <ProjectTokens project={project} />}</ProjectScope>;
}

function ProjectTokens({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const tokens = useQuery(trpc.tokens.list.queryOptions({ projectId: project.id }));

  if (tokens.isPending) return <LoadingState label="Loading API tokens…" />;
  // A viewer cannot see tokens at all; the API says which role is needed.
  if (tokens.isError) return <ErrorState error={tokens.error} onRetry={() => tokens.refetch()} />;
  return (
    <>
      <CreateTokenForm project={project} />
      <section className="section" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Tokens of {project.name}</h2>
        {tokens.data.length === 0 ? (
          <EmptyState title="No API tokens yet">Create one above to call the API from scripts, the SDK or the CLI.</EmptyState>
        ) : (
          <TokensTable project={project} tokens={tokens.data} />
        )}
      </section>
    </>
  );
}

function CreateTokenForm({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [role, setRole] = useState<ProjectRole>(hasRole(project.role, "member") ? "member" : "viewer");
  const [expiry, setExpiry] = useState<Expiry>("90");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: (token) => {
        setCreated(token);
        setName("");
        return queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey({ projectId: project.id }) });
      },
    }),
  );
  const fieldErrors = fieldErrorsOf(create.error);

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    create.mutate({ projectId: project.id, name, role, expiresInDays: expiry === "never" ? undefined : Number(expiry) });
  }

  return (
    <section className="section panel" aria-labelledby="create-token-heading">
      <h2 id="create-token-heading">Create a token</h2>
      <p className="muted">A token acts for you in this project only, with the role you give it (at most your own).</p>
      <form className="form-inline" onSubmit={handleSubmit} noValidate>
        <TextField
          label="Token name"
          placeholder="e.g. CI deploy"
          autoComplete="off"
          value={name}
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
          error={fieldErrors.name}
          required
        />
        <SelectField label="Role" value={role} options={grantableRoles(project.role)} onChange={setRole} error={fieldErrors.role} />
        <SelectField label="Expires" value={expiry} options={expiryOptions} onChange={setExpiry} error={fieldErrors.expiresInDays} />
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </form>
      <InlineError message={formErrorMessage(create.error, ["name", "role", "expiresInDays"])} />
      {created ? (
        <div className="callout callout-warning">
          <p className="callout-title">Copy the token “{created.name}” now</p>
          <p>
            It will not be shown again. Anyone who has it can act as you in {project.name}, with the {created.role} role.
          </p>
          <CopyField label="New API token" value={created.token} />
          <p className="muted">
            Use it as <code>Authorization: Bearer {"<token>"}</code>, or pass it to <code>createGatheringClient</code> as <code>token</code>
            .
          </p>
          <button type="button" className="button button-ghost" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      ) : null}
    </section>
  );
}

function tokenStatus(token: ApiToken): "active" | "revoked" | "expired" {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) return "expired";
  return "active";
}

function TokensTable({ project, tokens }: { project: AccountProject; tokens: ApiToken[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey({ projectId: project.id }) }),
      onError: (error) => setFailure(`Could not revoke the token: ${errorMessage(error)}`),
    }),
  );
  const canRevoke = hasRole(project.role, "admin");

  return (
    <>
      <InlineError message={failure} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => {
              const status = tokenStatus(token);
              return (
                <tr key={token.id}>
                  <th scope="row">{token.name}</th>
                  <td className="mono">{token.prefix}…</td>
                  <td>{roleLabels[token.role]}</td>
                  <td>{formatDate(token.createdAt)}</td>
                  <td>{formatDateTime(token.lastUsedAt, "Never")}</td>
                  <td>{formatDate(token.expiresAt, "Never")}</td>
                  <td className="cell-actions">
                    {status === "active" ? (
                      <>
                        <span className="badge badge-ok">Active</span>
                        {canRevoke ? (
                          <ConfirmButton
                            label="Revoke"
                            accessibleLabel={`Revoke ${token.name}`}
                            prompt={`Revoke “${token.name}”? Anything using it stops working at once.`}
                            confirmLabel="Revoke token"
                            isPending={revoke.isPending && revoke.variables?.tokenId === token.id}
                            onConfirm={() => revoke.mutate({ projectId: project.id, tokenId: token.id })}
                          />
                        ) : null}
                      </>
                    ) : (
                      <span className="badge badge-bad">{status === "revoked" ? `Revoked ${formatDate(token.revokedAt)}` : "Expired"}</span>
                    )}
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
