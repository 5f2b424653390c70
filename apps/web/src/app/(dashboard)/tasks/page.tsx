/** /tasks: background work for the project's agents. */
import type { Metadata } from "next";
import { TasksView } from "~/components/tasks/tasks-view";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { agentNamesInput, tasksPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Tasks" };

export default async function TasksPage() {
  await prefetchForProject((trpc, project) => [
    trpc.agents.list.queryOptions(agentNamesInput(project.id)),
    trpc.tasks.list.queryOptions(tasksPageInput(project.id)),
  ]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Tasks</h1>
        <p className="muted">Work an agent does in the background, on the worker. Statuses update as it goes.</p>
      </header>
      <TasksView />
    </HydrateClient>
  );
}
