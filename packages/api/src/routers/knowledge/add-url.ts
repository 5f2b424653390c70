/**
 * knowledge.addUrl: a document read from a URL through the guarded HTTP client (private, loopback and
 * metadata hosts are refused with BAD_REQUEST / FORBIDDEN before anything is stored).
 */
import { addKnowledgeUrlDocument, ZAddUrlDocumentInput } from "@gathering/core";
import { knowledgeQueue } from "@gathering/jobs";
import { projectProcedure } from "../../trpc";
import { ZKnowledgeDocumentOutput } from "./schemas";

export const addUrl = projectProcedure("member")
  .input(ZAddUrlDocumentInput)
  .output(ZKnowledgeDocumentOutput)
  .mutation(({ ctx, input, signal }) =>
    addKnowledgeUrlDocument(
      ctx.db,
      {
        queue: ctx.services.knowledgeQueue ?? knowledgeQueue,
        ...(ctx.services.toolServices?.allowedHosts ? { allowedHosts: ctx.services.toolServices.allowedHosts } : {}),
        ...(signal ? { signal } : {}),
      },
      ctx.actor,
      { ...input, projectId: ctx.project.id },
    ),
  );
