/** /agents/[agentId]: chat with an agent and see what it remembers. */
import type { Metadata } from "next";
import { AgentChatView } from "~/components/agents/agent-chat";

export const metadata: Metadata = { title: "Agent" };

export default async function AgentPage({ params }: { params: Promise<{ agentId: string }> }) {
  const { agentId } = await params;
  return <AgentChatView agentId={agentId} />;
}
