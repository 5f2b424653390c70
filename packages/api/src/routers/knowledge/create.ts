/** knowledge.create: a knowledge base with an embedding model (default: the offline embedder) and chunk settings. */
import { createKnowledgeBase, ZCreateKnowledgeBaseInput } from "@gathering/core";
import { projectProcedure } from "../../trpc";
import { ZKnowledgeBaseOutput } from "./schemas";

export const create = projectProcedure("member")
  .input(ZCreateKnowledgeBaseInput)
  .output(ZKnowledgeBaseOutput)
  .mutation(({ ctx, input }) => createKnowledgeBase(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id }));
