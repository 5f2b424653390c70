/** /schedules/[scheduleId]: a schedule's controls, settings and history of fires. */
import type { Metadata } from "next";
import { ScheduleDetailView } from "~/components/schedules/schedule-detail";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { scheduleHistoryPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Schedule" };

export default async function SchedulePage({ params }: { params: Promise<{ scheduleId: string }> }) {
  const { scheduleId } = await params;
  await prefetchForProject((trpc, project) => [
    trpc.schedules.get.queryOptions({ projectId: project.id, scheduleId }),
    trpc.schedules.history.queryOptions(scheduleHistoryPageInput(project.id, scheduleId)),
  ]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Schedule</h1>
      </header>
      <ScheduleDetailView scheduleId={scheduleId} />
    </HydrateClient>
  );
}
