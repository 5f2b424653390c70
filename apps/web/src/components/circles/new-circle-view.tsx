"use client";
/** /circles/new: the circle form for the current project (members and above), rendered on the server with the project's agents. */
import type { RouterOutputs } from "@gathering/api";
import type { AccountProject } from "~/components/current-project";
import { hasRole } from "~/components/format";
import { initialDataFor, ServerProjectScope } from "~/components/server-form";
import { CircleForm } from "./circle-form";

export function NewCircleView({
  serverProject,
  initialAgents,
}: {
  serverProject: AccountProject | null;
  initialAgents: { projectId: string; data: RouterOutputs["agents"]["list"] } | null;
}) {
  return (
    <ServerProjectScope serverProject={serverProject}>
      {(project) => {
        if (!hasRole(project.role, "member")) return <p className="callout callout-info">Members and above can create circles.</p>;
        const agents = initialDataFor(initialAgents, project.id);
        return <CircleForm project={project} {...(agents ? { initialAgents: agents } : {})} />;
      }}
    </ServerProjectScope>
  );
}
