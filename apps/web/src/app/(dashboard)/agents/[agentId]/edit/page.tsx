/** /agents/[agentId]/edit: change an agent's definition. */
import type { Metadata } from "next";
import { EditAgentView } from "~/components/agents/agent-form";

export const metadata: Metadata = { title: "Edit agent" };

export default async function EditAgentPage({ params }: { params: Promise<{ agentId: string }> }) {
  const { agentId } = await params;
  return (
    <>
      <header className="page-header">
        <h1>Edit agent</h1>
        <p className="muted">Changes apply from the next message. Someone else’s newer edit is never overwritten silently.</p>
      </header>
      <EditAgentView agentId={agentId} />
    </>
  );
}
