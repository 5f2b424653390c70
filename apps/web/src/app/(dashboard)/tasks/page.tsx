/** /tasks: background work for the project's agents. */
import type { Metadata } from "next";
import { TasksView } from "~/components/tasks/tasks-view";

export const metadata: Metadata = { title: "Tasks" };

export default function TasksPage() {
  return (
    <>
      <header className="page-header">
        <h1>Tasks</h1>
        <p className="muted">Work an agent does in the background, on the worker. Statuses update as it goes.</p>
      </header>
      <TasksView />
    </>
  );
}
