/** /agents/new: define an agent. The server renders the whole form (the project's knowledge bases too), so it works before JavaScript loads. */
import type { Metadata } from "next";
import { NewAgentView } from "~/components/agents/agent-form";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { knowledgeBaseChoicesInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "New agent" };

export default async function NewAgentPage() {
  await prefetchForProject((trpc, project) => [trpc.knowledge.list.queryOptions(knowledgeBaseChoicesInput(project.id))]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>New agent</h1>
        <p className="muted">The offline demo model answers without any API key; switch the provider once a key is in Settings.</p>
      </header>
      <NewAgentView />
    </HydrateClient>
  );
}
