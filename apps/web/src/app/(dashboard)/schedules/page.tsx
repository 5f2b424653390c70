/** /schedules: the project's cron schedules, each running one action when it fires. */
import type { Metadata } from "next";
import { SchedulesList } from "~/components/schedules/schedules-list";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { lastFireInput, schedulesPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Schedules" };

export default async function SchedulesPage() {
  // The list first, then the newest fire of each schedule on its first page (the "Last fire" column).
  await prefetchForProject(async (trpc, project, queryClient) => {
    const page = await queryClient.fetchQuery(trpc.schedules.list.queryOptions(schedulesPageInput(project.id)));
    return page.items.map((schedule) => trpc.schedules.history.queryOptions(lastFireInput(project.id, schedule.id)));
  });
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Schedules</h1>
        <p className="muted">
          Run a task, a pipeline, a notification or an API call on a cron expression, in your time zone; each fire happens once.
        </p>
      </header>
      <SchedulesList />
    </HydrateClient>
  );
}
