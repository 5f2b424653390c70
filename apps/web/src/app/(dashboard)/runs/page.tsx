/** /runs: every pipeline run of the project; `?pipelineId=` starts filtered to one pipeline. */
import type { Metadata } from "next";
import { RunsList } from "~/components/pipelines/runs-list";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { ALL, pipelineNamesInput, pipelineRunsPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { pipelineId } = await searchParams;
  const initialPipelineId = typeof pipelineId === "string" && /^[0-9a-f-]{36}$/i.test(pipelineId) ? pipelineId : undefined;
  await prefetchForProject((trpc, project) => [
    trpc.pipelines.list.queryOptions(pipelineNamesInput(project.id)),
    trpc.pipelines.listRuns.queryOptions(
      pipelineRunsPageInput(project.id, { search: "", pipelineId: initialPipelineId ?? ALL, status: ALL }),
    ),
  ]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Runs</h1>
        <p className="muted">Pipeline runs as the worker executes them; statuses update live.</p>
      </header>
      <RunsList initialPipelineId={initialPipelineId} />
    </HydrateClient>
  );
}
