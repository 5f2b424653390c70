/** knowledge.list: one page of the project's knowledge bases with their document and chunk counts, newest first, searched by name. */
import { listKnowledgeBases, ZListKnowledgeBasesInput } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";
import { ZKnowledgeBaseOutput } from "./schemas";

export const list = projectProcedure("viewer")
  .input(ZListKnowledgeBasesInput.default({ limit: 50 }))
  .output(z.object({ items: z.array(ZKnowledgeBaseOutput), nextCursor: z.string().nullable() }))
  .query(({ ctx, input }) => listKnowledgeBases(ctx.db, { ...input, projectId: ctx.project.id }));
