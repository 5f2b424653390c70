/** /agents/new: define an agent. The server renders the form (with the project's knowledge bases), so it works before JavaScript loads. */
import type { Metadata } from "next";
import { NewAgentView } from "~/components/agents/agent-form";
import { hasRole } from "~/components/format";
import { serverProjectScope } from "~/server/actions/project-scope";

export const metadata: Metadata = { title: "New agent" };

export default async function NewAgentPage() {
  const { api, project } = await serverProjectScope();
  const knowledgeBases =
    project && hasRole(project.role, "member") ? await api.knowledge.list({ projectId: project.id, limit: 100 }) : null;
  return (
    <>
      <header className="page-header">
        <h1>New agent</h1>
        <p className="muted">The offline demo model answers without any API key; switch the provider once a key is in Settings.</p>
      </header>
      <NewAgentView
        serverProject={project}
        initialKnowledgeBases={project && knowledgeBases ? { projectId: project.id, data: knowledgeBases } : null}
      />
    </>
  );
}
