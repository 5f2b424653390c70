/** /circles/new: create a circle. The server renders the whole form (the project's agents too), so it works before JavaScript loads. */
import type { Metadata } from "next";
import { NewCircleView } from "~/components/circles/new-circle-view";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { activeAgentsInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "New circle" };

export default async function NewCirclePage() {
  await prefetchForProject((trpc, project) => [trpc.agents.list.queryOptions(activeAgentsInput(project.id))]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>New circle</h1>
        <p className="muted">Pick agents, give each a role in this circle, choose how they take turns and when they stop.</p>
      </header>
      <NewCircleView />
    </HydrateClient>
  );
}
