/**
 * knowledge.addDocument: an uploaded file as base64 (at most 10 MB decoded; the length is checked
 * before decoding, a bigger one is PAYLOAD_TOO_LARGE). Its text is extracted at once, so an empty or
 * malformed file is BAD_REQUEST (details.reason) and nothing is stored; the document comes back
 * `queued` and its chunks are built by a background job.
 */
import { addKnowledgeDocument, ZAddDocumentInput } from "@gathering/core";
import { knowledgeQueue } from "@gathering/jobs";
import { projectProcedure } from "../../trpc";
import { ZKnowledgeDocumentOutput } from "./schemas";

export const addDocument = projectProcedure("member")
  .input(ZAddDocumentInput)
  .output(ZKnowledgeDocumentOutput)
  .mutation(({ ctx, input }) =>
    addKnowledgeDocument(ctx.db, { queue: ctx.services.knowledgeQueue ?? knowledgeQueue }, ctx.actor, {
      ...input,
      projectId: ctx.project.id,
    }),
  );
