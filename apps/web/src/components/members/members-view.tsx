"use client";
/** The members page: who is in the project with which role, invitations out, and the ways to change both. */
import { useQuery } from "@tanstack/react-query";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { ErrorState, LoadingState } from "~/components/feedback";
import { hasRole } from "~/components/format";
import { useTRPC } from "~/trpc/react";
import { InvitationsSection } from "./invitations-section";
import { MembersTable } from "./members-table";

export function MembersView() {
  return <ProjectScope>{(project) => <ProjectMembers project={project} />}</ProjectScope>;
}

function ProjectMembers({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const members = useQuery(trpc.members.list.queryOptions({ projectId: project.id }));
  const canManage = hasRole(project.role, "admin");

  return (
    <>
      <section className="section" aria-labelledby="members-heading">
        <h2 id="members-heading">People in {project.name}</h2>
        {members.isPending ? (
          <LoadingState label="Loading members…" />
        ) : members.isError ? (
          <ErrorState error={members.error} onRetry={() => members.refetch()} />
        ) : (
          <MembersTable project={project} members={members.data} currentUserId={me.data?.id ?? null} canManage={canManage} />
        )}
      </section>
      {canManage ? (
        <InvitationsSection project={project} />
      ) : (
        <p className="muted section">Only admins and owners can invite people or change roles.</p>
      )}
    </>
  );
}
