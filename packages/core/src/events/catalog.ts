/**
 * The event topics, each with the zod schema of its payload, and the one way to publish durable ones.
 *
 * Durable topics go to the events table and are announced by NOTIFY; a subscriber can resume after the
 * last one it saw. Ephemeral topics (a streaming answer's token deltas, progress ticks) go by NOTIFY
 * only, batched and coalesced by an `EphemeralPublisher` (./ephemeral-publisher.ts): losing one costs a
 * flicker, not a fact, and writing each to the table would cost a row per token. Topic names are unique
 * across both kinds, so one list of topics selects from both.
 */
import { type DbExecutor, insertEvent, insertEvents } from "@gathering/db";
import { z } from "zod";

export const eventCatalog = {
  "project.updated": z.object({ name: z.string() }),
  "members.changed": z.object({ userId: z.string(), change: z.enum(["joined", "role_changed", "removed"]), role: z.string().nullable() }),
  "invitations.changed": z.object({ invitationId: z.string(), change: z.enum(["created", "cancelled", "accepted"]) }),
  "tokens.changed": z.object({ tokenId: z.string(), change: z.enum(["created", "revoked"]) }),
  "settings.changed": z.object({ changed: z.array(z.string()) }),
  "agents.changed": z.object({ agentId: z.string(), change: z.enum(["created", "updated", "archived", "restored"]), name: z.string() }),
  /** A message was stored in a chat session (the durable record; its tokens streamed as `agent.token`). */
  "chat.message": z.object({
    sessionId: z.string(),
    agentId: z.string(),
    messageId: z.string(),
    role: z.enum(["user", "assistant", "tool"]),
    seq: z.number().int(),
  }),
  /** An agent's long-term memory or working profile changed (packages/core/src/agents/memory.ts). */
  "tasks.changed": z.object({
    taskId: z.string(),
    agentId: z.string(),
    status: z.enum(["queued", "running", "waiting", "succeeded", "failed", "cancelled"]),
  }),
  "approvals.changed": z.object({
    approvalId: z.string(),
    sessionId: z.string(),
    status: z.enum(["pending", "approved", "rejected", "used"]),
  }),
  "memory.changed": z.object({ agentId: z.string(), change: z.enum(["stored", "deleted", "profile_updated", "profile_deleted"]) }),
  /** A file or folder of the project's workspace changed (packages/core/src/workspace/workspace.ts); a rename names the new path. */
  "workspace.changed": z.object({ path: z.string(), change: z.enum(["written", "deleted", "renamed", "created"]) }),
  "pipelines.changed": z.object({
    pipelineId: z.string(),
    change: z.enum(["created", "updated", "archived", "restored"]),
    version: z.number().int(),
  }),
  /** A pipeline run started, finished, failed or was cancelled. */
  "pipeline_runs.changed": z.object({
    runId: z.string(),
    pipelineId: z.string(),
    status: z.enum(["running", "succeeded", "failed", "cancelled"]),
  }),
  /** A node of a run moved: queued, running, waiting (approval, delay, child runs), retrying, finished. */
  "pipeline_nodes.changed": z.object({
    runId: z.string(),
    nodeId: z.string(),
    status: z.enum(["pending", "queued", "running", "waiting", "succeeded", "failed", "skipped", "cancelled"]),
    attempts: z.number().int(),
  }),
  "schedules.changed": z.object({
    scheduleId: z.string(),
    change: z.enum(["created", "updated", "paused", "resumed", "deleted"]),
  }),
  /** A fire was created by the tick or runNow, or its action moved on. */
  "schedule_fires.changed": z.object({
    scheduleId: z.string(),
    fireId: z.string(),
    status: z.enum(["waiting", "queued", "running", "succeeded", "failed", "skipped"]),
  }),
  /** A user's notifications changed (a new one, or some read): their bell refetches its count. */
  "notifications.changed": z.object({ userId: z.string(), change: z.enum(["created", "read"]) }),
  "circles.changed": z.object({ circleId: z.string(), change: z.enum(["created", "updated", "archived", "restored"]), name: z.string() }),
  /** A circle run (or conversation) moved: started, a turn committed, paused, resumed, ended. */
  "circle_runs.changed": z.object({
    runId: z.string(),
    circleId: z.string().nullable(),
    conversationId: z.string().nullable(),
    status: z.enum(["running", "paused", "succeeded", "stopped", "failed", "cancelled"]),
    turnsCompleted: z.number().int(),
  }),
  /** A message joined a circle run's transcript (an agent's turn, a person's note); its tokens streamed as `agent.token`. */
  "circle_messages.added": z.object({
    runId: z.string(),
    messageId: z.string(),
    turnNumber: z.number().int(),
    authorKind: z.enum(["agent", "user", "system"]),
  }),
  /** A knowledge base was created, changed, deleted, or its re-index started or switched over (packages/core/src/knowledge). */
  "knowledge.changed": z.object({
    knowledgeBaseId: z.string(),
    change: z.enum(["created", "updated", "deleted", "reindex_started", "reindexed"]),
  }),
  /** A document of a knowledge base moved: queued, processing (with progress 0..1), ready, failed, deleted. */
  "knowledge_documents.changed": z.object({
    knowledgeBaseId: z.string(),
    documentId: z.string(),
    status: z.enum(["queued", "processing", "ready", "failed", "deleted"]),
    progress: z.number().min(0).max(1),
  }),
  /** A worker's answer to `events.ping`: proves the whole path, API → queue → worker → table → every instance. */
  "system.pong": z.object({ pingId: z.string(), requestedAt: z.string(), answeredAt: z.string() }),
} as const;

export type EventTopic = keyof typeof eventCatalog;
export const eventTopics = Object.keys(eventCatalog) as EventTopic[];
export type EventPayload<TTopic extends EventTopic> = z.infer<(typeof eventCatalog)[TTopic]>;

/** Publishes in the caller's transaction: the event exists, and is announced, only if the change commits. */
export function publishEvent<TTopic extends EventTopic>(
  db: DbExecutor,
  projectId: string,
  topic: TTopic,
  payload: EventPayload<TTopic>,
): Promise<number> {
  return insertEvent(db, { projectId, topic, payload: eventCatalog[topic].parse(payload) });
}

/** Several events of one topic in one statement, for changes that touch many things at once. */
export function publishEvents<TTopic extends EventTopic>(
  db: DbExecutor,
  projectId: string,
  topic: TTopic,
  payloads: ReadonlyArray<EventPayload<TTopic>>,
): Promise<number[]> {
  return insertEvents(
    db,
    payloads.map((payload) => ({ projectId, topic, payload: eventCatalog[topic].parse(payload) })),
  );
}

/** The channel ephemeral batches travel on; durable events use EVENTS_CHANNEL (@gathering/db). */
export const EPHEMERAL_EVENTS_CHANNEL = "gathering_ephemeral_events";

export interface EphemeralTopicDefinition<TSchema extends z.ZodType = z.ZodType> {
  schema: TSchema;
  /**
   * Events with the same key (within one project and topic) may be merged: a publisher merges them
   * within its window, and a subscriber's full buffer merges before it drops. Without a key, never.
   */
  coalesceKey?: (payload: z.output<TSchema>) => string;
  /** `later` folded into `earlier`, or undefined when the two cannot be merged (then both are kept). */
  merge?: (earlier: z.output<TSchema>, later: z.output<TSchema>) => z.output<TSchema> | undefined;
}

const ZAgentToken = z.object({
  /** The session or task whose answer streams. */
  streamId: z.string().min(1).max(200),
  messageId: z.string().min(1).max(200),
  /** The text of this event: one delta as produced, or several consecutive ones merged. */
  delta: z.string().max(2_000),
  /** The producer's number of the (first) delta in this event, counting from 0 within the message. */
  index: z.number().int().min(0),
  /** How many of the producer's deltas this event carries: the next event of the message starts at index + count. */
  count: z.number().int().min(1).default(1),
});

const ZTaskProgress = z.object({
  taskId: z.string().min(1).max(200),
  progress: z.number().min(0).max(1),
  note: z.string().max(500).optional(),
});

function defineEphemeralTopic<TSchema extends z.ZodType>(definition: EphemeralTopicDefinition<TSchema>): EphemeralTopicDefinition<TSchema> {
  return definition;
}

export const ephemeralEventCatalog = {
  "agent.token": defineEphemeralTopic({
    schema: ZAgentToken,
    coalesceKey: (payload) => `${payload.streamId}\u0000${payload.messageId}`,
    // Only consecutive deltas merge, so a gap or a reordering stays visible to the subscriber.
    merge: (earlier, later) =>
      later.index === earlier.index + earlier.count
        ? { ...earlier, delta: earlier.delta + later.delta, count: earlier.count + later.count }
        : undefined,
  }),
  "task.progress": defineEphemeralTopic({
    schema: ZTaskProgress,
    coalesceKey: (payload) => payload.taskId,
    // Progress is a level, not a sum: the latest tick says everything the earlier ones did.
    merge: (_earlier, later) => later,
  }),
} as const;

export type EphemeralTopic = keyof typeof ephemeralEventCatalog;
export const ephemeralEventTopics = Object.keys(ephemeralEventCatalog) as EphemeralTopic[];
/** What a publisher is given (defaults may be left out). */
export type EphemeralPayloadInput<TTopic extends EphemeralTopic> = z.input<(typeof ephemeralEventCatalog)[TTopic]["schema"]>;
/** What a subscriber receives. */
export type EphemeralPayload<TTopic extends EphemeralTopic> = z.output<(typeof ephemeralEventCatalog)[TTopic]["schema"]>;

export function isEphemeralTopic(topic: string): topic is EphemeralTopic {
  return Object.hasOwn(ephemeralEventCatalog, topic);
}

/** The coalescing rule of a topic, with the payload type erased for code that handles every topic alike. */
export function coalescingRuleOf(
  topic: EphemeralTopic,
): { key: (payload: unknown) => string; merge: (a: unknown, b: unknown) => unknown } | undefined {
  const definition = ephemeralEventCatalog[topic] as unknown as {
    coalesceKey?: (payload: unknown) => string;
    merge?: (earlier: unknown, later: unknown) => unknown;
  };
  if (!definition.coalesceKey || !definition.merge) return undefined;
  return { key: definition.coalesceKey, merge: definition.merge };
}
