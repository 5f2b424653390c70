/** /tools: the built-in tools agents can call, a playground to run them, and the calls waiting for approval. */
import type { Metadata } from "next";
import { ToolsView } from "~/components/tools/tools-view";

export const metadata: Metadata = { title: "Tools" };

export default function ToolsPage() {
  return (
    <>
      <header className="page-header">
        <h1>Tools</h1>
        <p className="muted">
          What agents can do besides talking: each tool’s input and limits, a playground to try one, and the calls that wait for a person’s
          approval.
        </p>
      </header>
      <ToolsView />
    </>
  );
}
