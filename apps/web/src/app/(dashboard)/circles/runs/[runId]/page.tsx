/** /circles/runs/[runId]: one run of a circle or a conversation, live. */
import type { Metadata } from "next";
import { CircleRunView } from "~/components/circles/circle-run-view";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";

export const metadata: Metadata = { title: "Circle run" };

export default async function CircleRunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  await prefetchForProject((trpc, project) => [trpc.circles.getRun.queryOptions({ projectId: project.id, runId })]);
  return (
    <HydrateClient>
      <CircleRunView runId={runId} />
    </HydrateClient>
  );
}
