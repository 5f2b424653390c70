/** /schedules: the project's cron schedules, each running one action when it fires. */
import type { Metadata } from "next";
import { SchedulesList } from "~/components/schedules/schedules-list";

export const metadata: Metadata = { title: "Schedules" };

export default function SchedulesPage() {
  return (
    <>
      <header className="page-header">
        <h1>Schedules</h1>
        <p className="muted">
          Run a task, a pipeline, a notification or an API call on a cron expression, in your time zone; each fire happens once.
        </p>
      </header>
      <SchedulesList />
    </>
  );
}
