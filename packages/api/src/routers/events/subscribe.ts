/**
 * events.subscribe: the project's events over SSE, durable and ephemeral.
 *
 * Durable events (the default when `topics` is omitted) carry their id, so a client that reconnects
 * resumes after the last one it saw (tRPC sends it back as lastEventId): nothing is lost, nothing repeats.
 * Ephemeral events (`agent.token`, `task.progress`: asked for by name in `topics`) are live only: a
 * reconnect does not replay them, and a client that reads too slowly has its oldest ones merged or
 * dropped. Each is sent with the resume point of the durable stream as its SSE id (and as `data.id`;
 * its own unique id is `data.eventId`), because an EventSource repeats the last id it saw on every later
 * message: that way a reconnect after any message resumes the durable events exactly.
 * The stream ends when the caller's session is signed out or token revoked.
 */
import { ephemeralEventTopics, eventTopics } from "@gathering/core";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const ZSubscribeEventsInput = z.object({
  topics: z
    .array(z.enum([...eventTopics, ...ephemeralEventTopics] as [string, ...string[]]))
    .max(20)
    .optional(),
  lastEventId: z
    .string()
    .regex(/^\d{1,18}$/, "lastEventId is an event id")
    .nullish(),
});

const CALLER_CHECK_INTERVAL_MS = 5_000;

export const subscribe = projectProcedure("viewer")
  .input(ZSubscribeEventsInput)
  .subscription(async function* ({ ctx, input, signal }) {
    const controller = new AbortController();
    signal?.addEventListener("abort", () => controller.abort(), { once: true });
    // Re-check the caller while the stream is open: sign-out or revocation ends it.
    const check = setInterval(() => {
      ctx.services
        .isCallerStillValid(ctx.caller)
        .then((isValid) => {
          if (!isValid) controller.abort();
        })
        .catch(() => controller.abort());
    }, CALLER_CHECK_INTERVAL_MS);
    try {
      const stream = ctx.services.eventHub.subscribe({
        projectIds: [ctx.project.id],
        topics: input.topics,
        afterId: input.lastEventId ? Number(input.lastEventId) : undefined,
        signal: controller.signal,
      });
      for await (const event of stream) {
        if (event.kind === "durable") {
          yield tracked(String(event.id), {
            kind: "durable" as const,
            id: event.id,
            topic: event.topic,
            payload: event.payload,
            createdAt: event.createdAt,
          });
          continue;
        }
        const resumeAfter = stream.lastDurableId;
        yield tracked(String(resumeAfter), {
          kind: "ephemeral" as const,
          id: resumeAfter,
          eventId: event.id,
          topic: event.topic,
          payload: event.payload,
          createdAt: event.createdAt,
        });
      }
    } finally {
      clearInterval(check);
    }
  });
