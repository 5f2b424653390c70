/**
 * /knowledge/new: create a knowledge base on a page of its own (the knowledge list also has the form).
 * The server renders it with the embedding models, so it works before JavaScript loads.
 */
import type { Metadata } from "next";
import { hasRole } from "~/components/format";
import { NewKnowledgeBaseView } from "~/components/knowledge/knowledge-base-form";
import { serverProjectScope } from "~/server/actions/project-scope";

export const metadata: Metadata = { title: "New knowledge base" };

export default async function NewKnowledgeBasePage() {
  const { api, project } = await serverProjectScope();
  const models = project && hasRole(project.role, "member") ? await api.knowledge.embeddingModels({ projectId: project.id }) : null;
  return (
    <>
      <header className="page-header">
        <h1>New knowledge base</h1>
        <p className="muted">
          Documents are split into chunks of at most the chunk size, along headings, paragraphs and sentences; each chunk is embedded with
          the chosen model and indexed for full-text search.
        </p>
      </header>
      <NewKnowledgeBaseView serverProject={project} initialModels={project && models ? { projectId: project.id, data: models } : null} />
    </>
  );
}
