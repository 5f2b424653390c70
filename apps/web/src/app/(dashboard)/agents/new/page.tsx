/** /agents/new: define an agent. */
import type { Metadata } from "next";
import { NewAgentView } from "~/components/agents/agent-form";

export const metadata: Metadata = { title: "New agent" };

export default function NewAgentPage() {
  return (
    <>
      <header className="page-header">
        <h1>New agent</h1>
        <p className="muted">The offline demo model answers without any API key; switch the provider once a key is in Settings.</p>
      </header>
      <NewAgentView />
    </>
  );
}
