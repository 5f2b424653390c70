/** Every job the system enqueues. Handlers live in apps/worker, one file each. */
import { z } from "zod";
import { defineJob } from "./define-job";

export const pruneWorkerHeartbeatsJob = defineJob({
  id: "system:prune-worker-heartbeats",
  payload: z.object({
    /** Rows of workers stopped or silent for longer than this are deleted. */
    olderThanHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 365)
      .default(24),
  }),
  maxAttempts: 3,
});

export const pruneEventsJob = defineJob({
  id: "events:prune",
  payload: z.object({
    /** Durable events older than this are deleted (the retention period). */
    olderThanDays: z.number().int().min(1).max(3_650).default(30),
  }),
  maxAttempts: 3,
});

export const pingEventsJob = defineJob({
  id: "events:ping",
  payload: z.object({
    projectId: z.uuid(),
    /** Chosen by `events.ping`, echoed in the `system.pong` event so the caller recognises its answer. */
    pingId: z.uuid(),
    requestedAt: z.iso.datetime(),
  }),
  // A pong that comes late is still an answer; one that never comes says the worker path is down.
  maxAttempts: 3,
});

export const runAgentTaskJob = defineJob({
  id: "agents:run-task",
  payload: z.object({ taskId: z.uuid() }),
  // A model outage is worth a few tries; the task itself decides what is final (budget, bad input).
  maxAttempts: 3,
});

export const runPipelineNodeJob = defineJob({
  id: "pipelines:run-node",
  payload: z.object({ runId: z.uuid(), nodeId: z.string().min(1).max(64) }),
  // The node's own retry policy decides about its failures; these attempts cover the worker's
  // (a lost database connection, a shutdown in the middle), and each repeat is safe.
  maxAttempts: 25,
});

export const timeOutPipelineRunJob = defineJob({
  id: "pipelines:run-timeout",
  payload: z.object({ runId: z.uuid() }),
  maxAttempts: 10,
});

/** Claims due schedules and fires them (packages/core/src/schedules/tick.ts); asked for by each worker's timer. */
export const scheduleTickJob = defineJob({
  id: "schedules:tick",
  payload: z.object({}),
  // A failed tick changes nothing; the next one (a period later at most) does its work.
  maxAttempts: 1,
});

export const runScheduleFireJob = defineJob({
  id: "schedules:run-fire",
  payload: z.object({ fireId: z.uuid() }),
  // Webhooks and outbound calls that fail with 5xx/429/network errors retry with Graphile's exponential
  // backoff (about half an hour over these attempts); each repeat is safe (the fire is the key).
  maxAttempts: 8,
});

export const runCircleTurnJob = defineJob({
  id: "circles:run-turn",
  payload: z.object({ runId: z.uuid(), turn: z.number().int().min(1).max(10_000) }),
  // A turn is safe to repeat (it resumes from its transcript); these attempts cover model outages and
  // the worker's own failures.
  maxAttempts: 5,
});

export const ingestKnowledgeDocumentJob = defineJob({
  id: "knowledge:ingest-document",
  payload: z.object({ documentId: z.uuid(), generation: z.number().int().min(1) }),
  // Provider outages retry with backoff; bad input fails at once (the document records why) and
  // each repeat is safe (the document's chunks of the generation are replaced in one transaction).
  maxAttempts: 5,
});

export const jobCatalog = {
  pruneWorkerHeartbeats: pruneWorkerHeartbeatsJob,
  pruneEvents: pruneEventsJob,
  pingEvents: pingEventsJob,
  runAgentTask: runAgentTaskJob,
  runPipelineNode: runPipelineNodeJob,
  timeOutPipelineRun: timeOutPipelineRunJob,
  scheduleTick: scheduleTickJob,
  runScheduleFire: runScheduleFireJob,
  runCircleTurn: runCircleTurnJob,
  ingestKnowledgeDocument: ingestKnowledgeDocumentJob,
} as const;

export type JobCatalog = typeof jobCatalog;
