/**
 * Keeps the circle pages current from `circle_runs.changed` and `circle_messages.added` events: the run
 * and the lists are fetched again when one of their runs moves or its transcript grows. Once the stream
 * is (re)connected everything is refreshed, so a change made while it was not listening is not missed.
 * Durable events come from the page's shared project stream; with `onToken`, `agent.token` deltas come
 * on a stream of their own (ephemeral topics are asked for by name).
 */
import { skipToken, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "~/trpc/react";
import { useProjectEvents } from "../project-events";

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
  useProjectEvents(projectId, {
    onStarted: refresh,
    onData: ({ topic }) => {
      if (topic === "circle_runs.changed" || topic === "circle_messages.added") refresh();
    },
  });
  // Streamed tokens are ephemeral and asked for by name: a stream of their own, only where shown.
  useSubscription(
    trpc.events.subscribe.subscriptionOptions(onToken ? { projectId, topics: ["agent.token"] } : skipToken, {
      onData: (event) => {
        if (event.data.topic !== "agent.token") return;
        const token = tokenOf(event.data.payload);
        if (token) onToken?.(token);
      },
    }),
  );
}
