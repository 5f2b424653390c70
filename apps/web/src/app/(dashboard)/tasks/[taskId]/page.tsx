/** /tasks/[taskId]: one task, its result and the transcript of the agent's work. */
import type { Metadata } from "next";
import { TaskDetailView } from "~/components/tasks/task-detail";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";

export const metadata: Metadata = { title: "Task" };

export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const { taskId } = await params;
  // The task, then its agent and the transcript of its session.
  await prefetchForProject(async (trpc, project, queryClient) => {
    const task = await queryClient.fetchQuery(trpc.tasks.get.queryOptions({ projectId: project.id, taskId }));
    return [
      trpc.agents.get.queryOptions({ projectId: project.id, agentId: task.agentId }),
      trpc.agents.sessions.get.queryOptions({ projectId: project.id, sessionId: task.sessionId }),
    ];
  });
  return (
    <HydrateClient>
      <TaskDetailView taskId={taskId} />
    </HydrateClient>
  );
}
