/**
 * events.ping: asks a worker to publish a `system.pong` event carrying the returned `pingId`. A
 * subscriber that sees it knows the whole path works (API, queue, worker, events table, this instance's
 * LISTEN); one that does not within seconds knows where to look. Members only: each call is a job.
 */
import { randomUUID } from "node:crypto";
import { enqueue, pingEventsJob } from "@gathering/jobs";
import { projectProcedure } from "../../trpc";

export const ping = projectProcedure("member").mutation(async ({ ctx }) => {
  const pingId = randomUUID();
  const requestedAt = new Date().toISOString();
  const { jobId } = await enqueue(ctx.db, pingEventsJob, { projectId: ctx.project.id, pingId, requestedAt });
  return { pingId, jobId, requestedAt };
});
