/** /agents: the project's agents. */
import type { Metadata } from "next";
import { AgentsList } from "~/components/agents/agents-list";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { agentsPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  await prefetchForProject((trpc, project) => [trpc.agents.list.queryOptions(agentsPageInput(project.id))]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Agents</h1>
        <p className="muted">Each agent has a role, a model and its own memory. Chat with one, or give it work.</p>
      </header>
      <AgentsList />
    </HydrateClient>
  );
}
