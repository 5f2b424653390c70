/**
 * Keeps the task pages current from `tasks.changed` events, without polling. An event says only which
 * task moved to which status: the cached copies take the new status at once (the badge changes in the
 * same frame), then the task and the lists are fetched again for what came with it (result, error,
 * tokens, cost, and whether it still matches a list's filter). A finished task has also written its
 * transcript and its usage. Once the stream is (re)connected everything is refreshed, so a change that
 * happened while it was not yet listening is not missed.
 */
import type { RouterOutputs } from "@gathering/api";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { useProjectEvents } from "../project-events";
import { isTaskActive, type Task, type TaskStatus, taskChangeOf } from "./shared";

type TaskPage = RouterOutputs["tasks"]["list"];

export function useLiveTasks(projectId: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  function refreshAll() {
    void queryClient.invalidateQueries({ queryKey: trpc.tasks.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.tasks.get.queryKey() });
  }

  function applyChange(taskId: string, status: TaskStatus) {
    const withStatus = (task: Task): Task => (task.id === taskId ? { ...task, status } : task);
    queryClient.setQueriesData<TaskPage>({ queryKey: trpc.tasks.list.queryKey() }, (page) =>
      page ? { ...page, items: page.items.map(withStatus) } : page,
    );
    queryClient.setQueryData(trpc.tasks.get.queryKey({ projectId, taskId }), (task) => (task ? withStatus(task) : task));
    void queryClient.invalidateQueries({ queryKey: trpc.tasks.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.tasks.get.queryKey({ projectId, taskId }) });
    // The transcript grows while a task runs and is complete when it ends; its usage counts from then on.
    void queryClient.invalidateQueries({ queryKey: trpc.agents.sessions.get.queryKey() });
    if (!isTaskActive(status)) void queryClient.invalidateQueries({ queryKey: trpc.usage.summary.queryKey() });
  }

  useProjectEvents(projectId, {
    onStarted: refreshAll,
    onData: ({ topic, payload }) => {
      if (topic !== "tasks.changed") return;
      const change = taskChangeOf(payload);
      if (change) applyChange(change.taskId, change.status);
    },
  });
}
