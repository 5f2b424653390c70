/** /tools: the built-in tools agents can call, a playground to run them, and the calls waiting for approval. */
import type { Metadata } from "next";
import { hasRole } from "~/components/format";
import { ToolsView } from "~/components/tools/tools-view";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { agentNamesInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Tools" };

export default async function ToolsPage() {
  await prefetchForProject((trpc, project) => [
    trpc.tools.list.queryOptions({ projectId: project.id }),
    trpc.agents.list.queryOptions(agentNamesInput(project.id)),
    trpc.tools.approvals.queryOptions({ projectId: project.id, status: "pending" }),
    trpc.tools.approvals.queryOptions({ projectId: project.id }),
    // Only members see the project's MCP servers.
    ...(hasRole(project.role, "member") ? [trpc.mcp.list.queryOptions({ projectId: project.id })] : []),
  ]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Tools</h1>
        <p className="muted">
          What agents can do besides talking: each tool’s input and limits, a playground to try one, and the calls that wait for a person’s
          approval.
        </p>
      </header>
      <ToolsView />
    </HydrateClient>
  );
}
