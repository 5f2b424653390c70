/** /runs/[runId]: one pipeline run, its graph with live node statuses, and the node inspector. */
import type { Metadata } from "next";
import { RunView } from "~/components/pipelines/run-view";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  // The run, then the pipeline it belongs to.
  await prefetchForProject(async (trpc, project, queryClient) => {
    const run = await queryClient.fetchQuery(trpc.pipelines.getRun.queryOptions({ projectId: project.id, runId }));
    return [trpc.pipelines.get.queryOptions({ projectId: project.id, pipelineId: run.pipelineId })];
  });
  return (
    <HydrateClient>
      <RunView runId={runId} />
    </HydrateClient>
  );
}
