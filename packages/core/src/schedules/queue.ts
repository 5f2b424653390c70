/** The job queue as schedules need it; @gathering/jobs implements it on Graphile Worker. */
import type { DbExecutor } from "@gathering/db";

export interface ScheduleQueue {
  /** Enqueues each fire's action job (keyed by the fire id, so a second enqueue adds nothing), in the caller's transaction. */
  enqueueFires(tx: DbExecutor, fireIds: readonly string[]): Promise<void>;
  /** Asks for a tick at `at` (a schedule was created or moved earlier than the next planned tick). */
  requestTick(tx: DbExecutor, at: Date): Promise<void>;
}
