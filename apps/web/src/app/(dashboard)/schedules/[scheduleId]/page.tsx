/** /schedules/[scheduleId]: a schedule's controls, settings and history of fires. */
import type { Metadata } from "next";
import { ScheduleDetailView } from "~/components/schedules/schedule-detail";

export const metadata: Metadata = { title: "Schedule" };

export default async function SchedulePage({ params }: { params: Promise<{ scheduleId: string }> }) {
  const { scheduleId } = await params;
  return (
    <>
      <header className="page-header">
        <h1>Schedule</h1>
      </header>
      <ScheduleDetailView scheduleId={scheduleId} />
    </>
  );
}
