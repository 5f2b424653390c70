/** knowledge.listDocuments, getDocument, deleteDocument, retryDocument, getChunk. */
import {
  deleteKnowledgeDocument,
  getKnowledgeChunk,
  getKnowledgeDocument,
  listKnowledgeDocuments,
  retryKnowledgeDocument,
  ZListDocumentsInput,
} from "@gathering/core";
import { knowledgeQueue } from "@gathering/jobs";
import { z } from "zod";
import { projectProcedure } from "../../trpc";
import { ZChunkOutput, ZKnowledgeDocumentOutput } from "./schemas";

const ZDocumentRef = z.object({ documentId: z.uuid() });

export const listDocuments = projectProcedure("viewer")
  .input(ZListDocumentsInput)
  .output(
    z.object({
      items: z.array(ZKnowledgeDocumentOutput),
      nextCursor: z.string().nullable(),
    }),
  )
  .query(({ ctx, input }) => listKnowledgeDocuments(ctx.db, { ...input, projectId: ctx.project.id }));

/** A document with its chunks (the first `chunkLimit`, default 200) of the active generation. */
export const getDocument = projectProcedure("viewer")
  .input(ZDocumentRef.extend({ chunkLimit: z.number().int().min(0).max(2000).default(200) }))
  .output(ZKnowledgeDocumentOutput.extend({ chunks: z.array(ZChunkOutput) }))
  .query(({ ctx, input }) => getKnowledgeDocument(ctx.db, { ...input, projectId: ctx.project.id }));

export const deleteDocument = projectProcedure("member")
  .input(ZDocumentRef)
  .output(z.object({ deleted: z.literal(true) }))
  .mutation(({ ctx, input }) => deleteKnowledgeDocument(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id }));

/** Only a failed document; PRECONDITION_FAILED otherwise. */
export const retryDocument = projectProcedure("member")
  .input(ZDocumentRef)
  .output(ZKnowledgeDocumentOutput)
  .mutation(({ ctx, input }) =>
    retryKnowledgeDocument(ctx.db, { queue: ctx.services.knowledgeQueue ?? knowledgeQueue }, ctx.actor, {
      ...input,
      projectId: ctx.project.id,
    }),
  );

/** One chunk, for a citation link (`citation.chunkId`). */
export const getChunk = projectProcedure("viewer")
  .input(z.object({ chunkId: z.uuid() }))
  .output(
    ZChunkOutput.omit({ startOffset: true, endOffset: true }).extend({
      knowledgeBaseId: z.uuid(),
      documentId: z.uuid(),
      documentName: z.string(),
      sourceKind: z.string(),
      sourceUrl: z.string().nullable(),
      format: z.string(),
      generation: z.number().int(),
      startOffset: z.number().int(),
      endOffset: z.number().int(),
    }),
  )
  .query(({ ctx, input }) => getKnowledgeChunk(ctx.db, { ...input, projectId: ctx.project.id }));
