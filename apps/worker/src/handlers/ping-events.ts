/**
 * Answers `events.ping` with a durable `system.pong` event: proof that the whole event path works, from
 * the API through the queue and a worker to the events table and every web instance's subscribers.
 */
import { publishEvent } from "@gathering/core";
import type { JobPayload, pingEventsJob } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

export async function pingEvents(payload: JobPayload<typeof pingEventsJob>, context: JobContext): Promise<void> {
  const answeredAt = new Date().toISOString();
  const eventId = await context.db.transaction((tx) =>
    publishEvent(tx, payload.projectId, "system.pong", { pingId: payload.pingId, requestedAt: payload.requestedAt, answeredAt }),
  );
  context.logger.info({ pingId: payload.pingId, eventId }, "answered an events ping");
}
