/**
 * knowledge.reindex: rebuilds every ready document's chunks and vectors into a new generation, with a
 * new embedding model or the current one (and the current chunk settings). Searches keep using the
 * current generation until the new one is complete; `pendingIndex` shows the rebuild meanwhile.
 */
import { reindexKnowledgeBase, ZReindexInput } from "@gathering/core";
import { knowledgeQueue } from "@gathering/jobs";
import { z } from "zod";
import { projectProcedure } from "../../trpc";
import { ZKnowledgeBaseOutput } from "./schemas";

export const reindex = projectProcedure("member")
  .input(ZReindexInput)
  .output(ZKnowledgeBaseOutput.extend({ documentsQueued: z.number().int() }))
  .mutation(({ ctx, input }) =>
    reindexKnowledgeBase(ctx.db, { queue: ctx.services.knowledgeQueue ?? knowledgeQueue }, ctx.actor, {
      ...input,
      projectId: ctx.project.id,
    }),
  );
