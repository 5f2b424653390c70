/**
 * knowledge.search: hybrid (default), vector-only or full-text-only search over one or more bases of
 * the project; with `rerank: { model: { provider, model } }` a chat model reorders the best hits.
 */
import { searchKnowledgeBases, ZKnowledgeSearchOptions } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";
import { ZSearchOutput } from "./schemas";

export const search = projectProcedure("viewer")
  .input(ZKnowledgeSearchOptions.extend({ knowledgeBaseIds: z.array(z.uuid()).min(1).max(20) }))
  .output(ZSearchOutput)
  .query(({ ctx, input }) =>
    searchKnowledgeBases(
      ctx.db,
      { keyring: ctx.services.keyring, gateway: ctx.services.modelGateway },
      { ...input, projectId: ctx.project.id },
    ),
  );
