/** Deletes heartbeat rows of workers that stopped or went silent long ago, so the table stays small. */

import { schema } from "@gathering/db";
import type { JobPayload, pruneWorkerHeartbeatsJob } from "@gathering/jobs";
import { and, isNotNull, lt, or, sql } from "drizzle-orm";
import type { JobContext } from "../job-handler";

export async function pruneWorkerHeartbeats(payload: JobPayload<typeof pruneWorkerHeartbeatsJob>, context: JobContext): Promise<void> {
  const cutoff = sql`now() - make_interval(hours => ${payload.olderThanHours})`;
  const deleted = await context.db
    .delete(schema.workerHeartbeats)
    .where(
      or(
        and(isNotNull(schema.workerHeartbeats.stoppedAt), lt(schema.workerHeartbeats.stoppedAt, cutoff)),
        lt(schema.workerHeartbeats.lastSeenAt, cutoff),
      ),
    )
    .returning({ workerId: schema.workerHeartbeats.workerId });
  context.logger.info({ deleted: deleted.length }, "pruned worker heartbeats");
}
