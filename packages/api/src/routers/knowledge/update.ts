/** knowledge.update: name, description, chunk settings (for documents indexed from now on; `reindex` re-chunks). */
import { updateKnowledgeBase, ZUpdateKnowledgeBaseInput } from "@gathering/core";
import { projectProcedure } from "../../trpc";
import { ZKnowledgeBaseOutput } from "./schemas";

export const update = projectProcedure("member")
  .input(ZUpdateKnowledgeBaseInput)
  .output(ZKnowledgeBaseOutput)
  .mutation(({ ctx, input }) => updateKnowledgeBase(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id }));
