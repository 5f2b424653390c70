/** /circles/[circleId]: a circle, its runs, and starting one. */
import type { Metadata } from "next";
import { CircleDetailView } from "~/components/circles/circle-detail";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { circleRunsInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Circle" };

export default async function CirclePage({ params }: { params: Promise<{ circleId: string }> }) {
  const { circleId } = await params;
  await prefetchForProject((trpc, project) => [
    trpc.circles.get.queryOptions({ projectId: project.id, circleId }),
    trpc.circles.listRuns.queryOptions(circleRunsInput(project.id, circleId)),
  ]);
  return (
    <HydrateClient>
      <CircleDetailView circleId={circleId} />
    </HydrateClient>
  );
}
