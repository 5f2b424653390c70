/** /schedules/new: a new schedule. */
import type { Metadata } from "next";
import { NewScheduleView } from "~/components/schedules/schedule-detail";

export const metadata: Metadata = { title: "New schedule" };

export default function NewSchedulePage() {
  return (
    <>
      <header className="page-header">
        <h1>New schedule</h1>
        <p className="muted">When it fires, and what it does then. The preview shows the next fire times as you type.</p>
      </header>
      <NewScheduleView />
    </>
  );
}
