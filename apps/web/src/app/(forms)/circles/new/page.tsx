/** /circles/new: create a circle. The server renders the form with the project's agents, so it works before JavaScript loads. */
import type { Metadata } from "next";
import { NewCircleView } from "~/components/circles/new-circle-view";
import { hasRole } from "~/components/format";
import { serverProjectScope } from "~/server/actions/project-scope";

export const metadata: Metadata = { title: "New circle" };

export default async function NewCirclePage() {
  const { api, project } = await serverProjectScope();
  const agents =
    project && hasRole(project.role, "member")
      ? await api.agents.list({ projectId: project.id, includeArchived: false, limit: 100 })
      : null;
  return (
    <>
      <header className="page-header">
        <h1>New circle</h1>
        <p className="muted">Pick agents, give each a role in this circle, choose how they take turns and when they stop.</p>
      </header>
      <NewCircleView serverProject={project} initialAgents={project && agents ? { projectId: project.id, data: agents } : null} />
    </>
  );
}
