/** /agents/[agentId]: chat with an agent and see what it remembers. */
import type { Metadata } from "next";
import { AgentChatView } from "~/components/agents/agent-chat";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";

export const metadata: Metadata = { title: "Agent" };

export default async function AgentPage({ params }: { params: Promise<{ agentId: string }> }) {
  const { agentId } = await params;
  await prefetchForProject((trpc, project) => [
    trpc.agents.get.queryOptions({ projectId: project.id, agentId }),
    trpc.agents.sessions.list.queryOptions({ projectId: project.id, agentId }),
  ]);
  return (
    <HydrateClient>
      <AgentChatView agentId={agentId} />
    </HydrateClient>
  );
}
