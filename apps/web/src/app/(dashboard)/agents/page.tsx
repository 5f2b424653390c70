/** /agents: the project's agents. */
import type { Metadata } from "next";
import { AgentsList } from "~/components/agents/agents-list";

export const metadata: Metadata = { title: "Agents" };

export default function AgentsPage() {
  return (
    <>
      <header className="page-header">
        <h1>Agents</h1>
        <p className="muted">Each agent has a role, a model and its own memory. Chat with one, or give it work.</p>
      </header>
      <AgentsList />
    </>
  );
}
