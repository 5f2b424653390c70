/**
 * Keeps the circle pages current from `circle_runs.changed` and `circle_messages.added` events: the run
 * and the lists are fetched again when one of their runs moves or its transcript grows. Once the stream
 * is (re)connected everything is refreshed, so a change made while it was not listening is not missed.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "~/trpc/react";

export function useLiveCircleRuns(projectId: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  function refresh() {
    void queryClient.invalidateQueries({ queryKey: trpc.circles.getRun.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.circles.listRuns.queryKey() });
  }
  useSubscription(
    trpc.events.subscribe.subscriptionOptions(
      { projectId, topics: ["circle_runs.changed", "circle_messages.added"] },
      { onStarted: refresh, onData: refresh },
    ),
  );
}
