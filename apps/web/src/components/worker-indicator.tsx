"use client";
/** Live worker status from the system.status subscription (SSE). */
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "~/trpc/react";

export function WorkerIndicator() {
  const trpc = useTRPC();
  const subscription = useSubscription(trpc.system.status.subscriptionOptions({ intervalMs: 5_000 }));
  const workers = subscription.data?.workers;
  const label =
    subscription.status === "error"
      ? "status unavailable"
      : !workers
        ? "connecting…"
        : workers.live > 0
          ? `${workers.live} worker${workers.live === 1 ? "" : "s"} live`
          : "no worker running";
  const tone = workers && workers.live > 0 ? "ok" : subscription.status === "error" || workers ? "bad" : "idle";
  return (
    <output className={`indicator indicator-${tone}`} aria-live="polite">
      <span className="dot" aria-hidden="true" />
      {label}
    </output>
  );
}
