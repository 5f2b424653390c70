/**
 * events.subscribe: the project's durable events over SSE. Each event carries its id, so a client that
 * reconnects resumes after the last one it saw (tRPC sends it back as lastEventId): nothing is lost,
 * nothing repeats. The stream ends when the caller's session is signed out or token revoked.
 */
import { eventTopics } from "@gathering/core";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const ZSubscribeEventsInput = z.object({
  topics: z
    .array(z.enum(eventTopics as [string, ...string[]]))
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
        yield tracked(String(event.id), { id: event.id, topic: event.topic, payload: event.payload, createdAt: event.createdAt });
      }
    } finally {
      clearInterval(check);
    }
  });
