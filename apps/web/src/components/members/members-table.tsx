"use client";
/** Project members with their roles; admins change roles and remove people here. */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import type { AccountProject } from "~/components/current-project";
import { EmptyState, InlineError } from "~/components/feedback";
import { formatDate, grantableRoles, roleLabels } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

type Member = RouterOutputs["members"]["list"][number];

interface MembersTableProps {
  project: AccountProject;
  members: Member[];
  currentUserId: string | null;
  canManage: boolean;
}

export function MembersTable({ project, members, currentUserId, canManage }: MembersTableProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);

  async function refreshAfterChange(userId: string) {
    const refreshes = [queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey({ projectId: project.id }) })];
    // Changing one's own role or membership changes what the switcher and every page may show.
    if (userId === currentUserId) refreshes.push(queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }));
    await Promise.all(refreshes);
  }

  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: (_result, input) => refreshAfterChange(input.userId),
      onError: (error, input) => {
        const member = members.find((candidate) => candidate.userId === input.userId);
        setFailure(`Could not change the role of ${member?.name ?? "this member"}: ${errorMessage(error)}`);
      },
    }),
  );
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: (_result, input) => refreshAfterChange(input.userId),
      onError: (error, input) => {
        const member = members.find((candidate) => candidate.userId === input.userId);
        setFailure(`Could not remove ${member?.name ?? "this member"}: ${errorMessage(error)}`);
      },
    }),
  );

  if (members.length === 0) return <EmptyState title="Nobody is in this project" />;
  // Only owners hand out or take away ownership; admins manage everyone else.
  const roleOptions = grantableRoles(project.role);

  return (
    <>
      <InlineError message={failure} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              {canManage ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {members.map((member) => {
              const isSelf = member.userId === currentUserId;
              const canEditRow = canManage && (project.role === "owner" || member.role !== "owner");
              const isRowPending =
                (changeRole.isPending && changeRole.variables?.userId === member.userId) ||
                (remove.isPending && remove.variables?.userId === member.userId);
              return (
                <tr key={member.userId}>
                  <th scope="row">
                    {member.name}
                    {isSelf ? <span className="badge badge-quiet">you</span> : null}
                  </th>
                  <td>{member.email}</td>
                  <td>
                    {canEditRow ? (
                      <select
                        aria-label={`Role of ${member.name}`}
                        value={member.role}
                        disabled={isRowPending}
                        onChange={(event) => {
                          const role = roleOptions.find((option) => option.value === event.target.value)?.value;
                          if (role) changeRole.mutate({ projectId: project.id, userId: member.userId, role });
                        }}
                      >
                        {roleOptions.map((option) => (
                          <option key={option.value} value={option.value}>
                            {option.label}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className={`badge badge-role-${member.role}`}>{roleLabels[member.role]}</span>
                    )}
                  </td>
                  <td>{formatDate(member.joinedAt)}</td>
                  {canManage ? (
                    <td className="cell-actions">
                      {canEditRow && !isSelf ? (
                        <ConfirmButton
                          label="Remove"
                          accessibleLabel={`Remove ${member.name}`}
                          prompt={`Remove ${member.name} from ${project.name}?`}
                          confirmLabel="Remove member"
                          isPending={remove.isPending && remove.variables?.userId === member.userId}
                          onConfirm={() => remove.mutate({ projectId: project.id, userId: member.userId })}
                        />
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
