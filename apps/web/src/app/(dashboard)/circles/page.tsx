/** /circles: groups of agents that work on a task together, and agents' conversations. */
import type { Metadata } from "next";
import { CirclesView } from "~/components/circles/circles-view";
import { hasRole } from "~/components/format";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { activeAgentsInput, circlesPageInput, conversationRunsInput, conversationsPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Circles" };

export default async function CirclesPage() {
  await prefetchForProject((trpc, project) => [
    trpc.circles.list.queryOptions(circlesPageInput(project.id)),
    trpc.conversations.list.queryOptions(conversationsPageInput(project.id)),
    trpc.circles.listRuns.queryOptions(conversationRunsInput(project.id)),
    // The agents of the new-conversation form, which only members see.
    ...(hasRole(project.role, "member") ? [trpc.agents.list.queryOptions(activeAgentsInput(project.id))] : []),
  ]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Circles</h1>
        <p className="muted">Agents with roles working on a task together, turn by turn, on the worker. Runs survive restarts.</p>
      </header>
      <CirclesView />
    </HydrateClient>
  );
}
