/**
 * Keeps the circle pages current from `circle_runs.changed` and `circle_messages.added` events: the run
 * and the lists are fetched again when one of their runs moves or its transcript grows. Once the stream
 * is (re)connected everything is refreshed, so a change made while it was not listening is not missed.
 * With `onToken`, the same stream also carries `agent.token` deltas: one event stream per page, since
 * the browser allows only six connections per host and the shell holds some already.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "~/trpc/react";

export interface TokenDelta {
  streamId: string;
  messageId: string;
  delta: string;
}

function tokenOf(payload: unknown): TokenDelta | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { streamId, messageId, delta } = payload as Record<string, unknown>;
  if (typeof streamId !== "string" || typeof messageId !== "string" || typeof delta !== "string") return null;
  return { streamId, messageId, delta };
}

export function useLiveCircleRuns(projectId: string, onToken?: (token: TokenDelta) => void): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  function refresh() {
    void queryClient.invalidateQueries({ queryKey: trpc.circles.getRun.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.circles.listRuns.queryKey() });
  }
  const topics: Array<"circle_runs.changed" | "circle_messages.added" | "agent.token"> = ["circle_runs.changed", "circle_messages.added"];
  if (onToken) topics.push("agent.token");
  useSubscription(
    trpc.events.subscribe.subscriptionOptions(
      { projectId, topics },
      {
        onStarted: refresh,
        onData: (event) => {
          if (event.data.topic === "agent.token") {
            const token = tokenOf(event.data.payload);
            if (token) onToken?.(token);
            return;
          }
          refresh();
        },
      },
    ),
  );
}
