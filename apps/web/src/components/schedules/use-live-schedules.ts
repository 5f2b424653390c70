/**
 * Keeps the schedule pages current from events, without polling: `schedules.changed` refreshes the
 * lists and the open schedule; `schedule_fires.changed` first writes the new status into the cached
 * history rows (the badge changes in the same frame), then fetches the history and the schedule again
 * for what came with it (duration, error, the run or task it started, the next fire time). Once the
 * stream is (re)connected everything is refreshed, so a change made while it was not listening is not
 * missed.
 */
import type { RouterOutputs } from "@gathering/api";
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { useProjectEvents } from "../project-events";
import { fireChangeOf, scheduleChangeOf } from "./shared";

type HistoryPage = RouterOutputs["schedules"]["history"];

export function useLiveSchedules(projectId: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  function refreshAll() {
    void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.schedules.get.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.schedules.history.queryKey() });
  }

  useProjectEvents(projectId, {
    onStarted: refreshAll,
    onData: ({ topic, payload }) => {
      if (topic === "schedules.changed") {
        const change = scheduleChangeOf(payload);
        if (!change) return;
        void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.schedules.get.queryKey({ projectId, scheduleId: change.scheduleId }) });
        return;
      }
      if (topic === "schedule_fires.changed") {
        const change = fireChangeOf(payload);
        if (!change) return;
        queryClient.setQueriesData<HistoryPage>({ queryKey: trpc.schedules.history.queryKey() }, (page) =>
          page
            ? { ...page, items: page.items.map((fire) => (fire.id === change.fireId ? { ...fire, status: change.status } : fire)) }
            : page,
        );
        void queryClient.invalidateQueries({ queryKey: trpc.schedules.history.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.schedules.get.queryKey({ projectId, scheduleId: change.scheduleId }) });
      }
    },
  });
}
