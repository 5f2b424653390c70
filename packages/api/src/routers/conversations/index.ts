/**
 * conversations.*: agents talking directly on a topic for N exchanges. Each start (and each rerun) is a
 * circle run of kind "conversation", so its transcript, controls and live events are the circles' ones
 * (`circles.getRun`, `circles.pauseRun`, ...); these procedures add what is specific to conversations.
 */
import {
  archiveConversation,
  getConversation,
  listCircleRuns,
  listConversations,
  rerunConversation,
  startConversation,
  ZCreateConversationInput,
  ZListConversationsInput,
} from "@gathering/core";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../trpc";
import { queueOf } from "../circles";

const ZConversationRef = z.object({ conversationId: z.uuid() });

export const conversationsRouter = createTRPCRouter({
  start: projectProcedure("member")
    .input(ZCreateConversationInput)
    .mutation(({ ctx, input }) => startConversation(ctx.db, queueOf(ctx.services), ctx.actor, { ...input, projectId: ctx.project.id })),
  rerun: projectProcedure("member")
    .input(ZConversationRef)
    .mutation(({ ctx, input }) => rerunConversation(ctx.db, queueOf(ctx.services), ctx.actor, { ...input, projectId: ctx.project.id })),
  get: projectProcedure("viewer")
    .input(ZConversationRef)
    .query(async ({ ctx, input }) => {
      const conversation = await getConversation(ctx.db, { ...input, projectId: ctx.project.id });
      const runs = await listCircleRuns(ctx.db, { projectId: ctx.project.id, conversationId: conversation.id, limit: 20 });
      return { ...conversation, runs: runs.items };
    }),
  list: projectProcedure("viewer")
    .input(ZListConversationsInput.default({ includeArchived: false, limit: 50 }))
    .query(({ ctx, input }) => listConversations(ctx.db, { ...input, projectId: ctx.project.id })),
  archive: projectProcedure("member")
    .input(ZConversationRef)
    .mutation(({ ctx, input }) => archiveConversation(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id })),
});
