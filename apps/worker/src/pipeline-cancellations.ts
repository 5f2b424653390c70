/**
 * One LISTEN per worker process on the pipeline cancel channel: when a run is cancelled or fails
 * anywhere, the AbortSignals of its nodes running here fire at once.
 */
import type { CancellationWatch, Logger } from "@gathering/core";
import { type DatabaseClient, PIPELINE_CANCEL_CHANNEL } from "@gathering/db";

export async function listenForPipelineCancellations(
  sql: DatabaseClient["sql"],
  logger: Logger,
): Promise<CancellationWatch & { close: () => Promise<void> }> {
  const running = new Map<string, Set<AbortController>>();
  const listener = await sql.listen(PIPELINE_CANCEL_CHANNEL, (runId) => {
    for (const controller of running.get(runId) ?? []) controller.abort(new Error("The run was cancelled"));
  });
  return {
    watch(runId) {
      const controller = new AbortController();
      let set = running.get(runId);
      if (!set) {
        set = new Set();
        running.set(runId, set);
      }
      set.add(controller);
      return {
        signal: controller.signal,
        release: () => {
          const current = running.get(runId);
          current?.delete(controller);
          if (current?.size === 0) running.delete(runId);
        },
      };
    },
    close: async () => {
      await listener.unlisten().catch((error: unknown) => logger.warn({ err: error }, "could not stop listening for cancellations"));
    },
  };
}
