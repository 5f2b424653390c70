/** Runs a schedule fire's action (core/schedules/fire.ts); a thrown error asks Graphile for a retry with backoff. */
import { executeScheduleFire, type Keyring, type Mailer } from "@gathering/core";
import { circleQueue, type JobPayload, pipelineQueue, type runScheduleFireJob, scheduleAgentTask, scheduleQueue } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

export function runScheduleFire(dependencies: { keyring?: Keyring; allowedHosts?: readonly string[]; mailer?: Mailer }) {
  return async (payload: JobPayload<typeof runScheduleFireJob>, context: JobContext): Promise<void> => {
    const status = await executeScheduleFire(
      {
        db: context.db,
        queue: scheduleQueue,
        pipelineQueue,
        circleQueue,
        scheduleTask: scheduleAgentTask,
        logger: context.logger,
        ...(dependencies.keyring ? { keyring: dependencies.keyring } : {}),
        ...(dependencies.allowedHosts ? { allowedHosts: dependencies.allowedHosts } : {}),
        ...(dependencies.mailer ? { mailer: dependencies.mailer } : {}),
      },
      { fireId: payload.fireId, attempt: context.attempt, maxAttempts: context.maxAttempts },
    );
    context.logger.info({ fireId: payload.fireId, status }, "schedule fire finished");
  };
}
