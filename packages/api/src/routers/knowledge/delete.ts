/** knowledge.delete: the base, its documents and chunks. */
import { deleteKnowledgeBase } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const remove = projectProcedure("member")
  .input(z.object({ knowledgeBaseId: z.uuid() }))
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deleteKnowledgeBase(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id }));
