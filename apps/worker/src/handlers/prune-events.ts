/** Deletes durable events older than the retention period, so the events table does not grow forever. */
import { deleteEventsOlderThan } from "@gathering/db";
import type { JobPayload, pruneEventsJob } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

export async function pruneEvents(payload: JobPayload<typeof pruneEventsJob>, context: JobContext): Promise<void> {
  const cutoff = new Date(Date.now() - payload.olderThanDays * 86_400_000);
  const deleted = await deleteEventsOlderThan(context.db, cutoff);
  context.logger.info({ deleted, cutoff }, "pruned events");
}
