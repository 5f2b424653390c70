/** knowledge.list: the project's knowledge bases with their document and chunk counts, newest first. */
import { listKnowledgeBases } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";
import { ZKnowledgeBaseOutput } from "./schemas";

export const list = projectProcedure("viewer")
  .output(z.array(ZKnowledgeBaseOutput))
  .query(({ ctx }) => listKnowledgeBases(ctx.db, { projectId: ctx.project.id }));
