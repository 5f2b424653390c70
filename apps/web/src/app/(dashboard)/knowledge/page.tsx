/** /knowledge: the project's knowledge bases, and a form to create one. */
import type { Metadata } from "next";
import { KnowledgeBasesView } from "~/components/knowledge/knowledge-bases-view";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { knowledgeBasesPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Knowledge" };

export default async function KnowledgePage() {
  await prefetchForProject((trpc, project) => [trpc.knowledge.list.queryOptions(knowledgeBasesPageInput(project.id))]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Knowledge</h1>
        <p className="muted">
          Documents your agents search before they answer, and cite: upload files or add pages by URL, then test what a query retrieves.
        </p>
      </header>
      <KnowledgeBasesView />
    </HydrateClient>
  );
}
