/** /tasks/[taskId]: one task, its result and the transcript of the agent's work. */
import type { Metadata } from "next";
import { TaskDetailView } from "~/components/tasks/task-detail";

export const metadata: Metadata = { title: "Task" };

export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const { taskId } = await params;
  return <TaskDetailView taskId={taskId} />;
}
