/** /pipelines: the project's pipelines (DAGs of agents, tools and steps that the worker runs). */
import type { Metadata } from "next";
import { PipelinesList } from "~/components/pipelines/pipelines-list";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { pipelinesPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Pipelines" };

export default async function PipelinesPage() {
  await prefetchForProject((trpc, project) => [trpc.pipelines.list.queryOptions(pipelinesPageInput(project.id))]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Pipelines</h1>
        <p className="muted">Chain agents, tools and steps into a graph; each run executes on the worker, node by node, durably.</p>
      </header>
      <PipelinesList />
    </HydrateClient>
  );
}
