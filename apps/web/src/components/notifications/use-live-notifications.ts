/**
 * Keeps the bell and the notifications page current from `notifications.changed`, without polling:
 * an event names the user whose notifications changed, and only that user's count and list are
 * fetched again. Once the stream is (re)connected both are refreshed, so nothing is missed meanwhile.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { useProjectEvents } from "../project-events";

export function useLiveNotifications(projectId: string, userId: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  function refresh() {
    void queryClient.invalidateQueries({ queryKey: trpc.notifications.unreadCount.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.notifications.list.queryKey() });
  }

  useProjectEvents(projectId, {
    onStarted: refresh,
    onData: (event) => {
      if (event.topic !== "notifications.changed") return;
      const payload = event.payload as { userId?: unknown } | null;
      if (payload && typeof payload === "object" && payload.userId === userId) refresh();
    },
  });
}
