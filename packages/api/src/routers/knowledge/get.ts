/** knowledge.get: one knowledge base (NOT_FOUND for another project's). */
import { getKnowledgeBase } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";
import { ZKnowledgeBaseOutput } from "./schemas";

export const get = projectProcedure("viewer")
  .input(z.object({ knowledgeBaseId: z.uuid() }))
  .output(ZKnowledgeBaseOutput)
  .query(({ ctx, input }) => getKnowledgeBase(ctx.db, { ...input, projectId: ctx.project.id }));
