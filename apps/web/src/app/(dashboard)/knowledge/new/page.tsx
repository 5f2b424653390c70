/**
 * /knowledge/new: create a knowledge base on a page of its own (the knowledge list also has the form).
 * The server renders the whole form (the embedding models too), so it works before JavaScript loads.
 */
import type { Metadata } from "next";
import { NewKnowledgeBaseView } from "~/components/knowledge/knowledge-base-form";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";

export const metadata: Metadata = { title: "New knowledge base" };

export default async function NewKnowledgeBasePage() {
  await prefetchForProject((trpc, project) => [trpc.knowledge.embeddingModels.queryOptions({ projectId: project.id })]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>New knowledge base</h1>
        <p className="muted">
          Documents are split into chunks of at most the chunk size, along headings, paragraphs and sentences; each chunk is embedded with
          the chosen model and indexed for full-text search.
        </p>
      </header>
      <NewKnowledgeBaseView />
    </HydrateClient>
  );
}
