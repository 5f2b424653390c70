/** Chunks and embeds one knowledge document for one generation (packages/core/src/knowledge/ingestion.ts). */
import { ingestKnowledgeDocument, type Keyring } from "@gathering/core";
import { type ingestKnowledgeDocumentJob, type JobPayload, knowledgeQueue } from "@gathering/jobs";
import type { JobContext } from "../job-handler";

export function ingestKnowledgeDocumentHandler(dependencies: { keyring?: Keyring }) {
  return async (payload: JobPayload<typeof ingestKnowledgeDocumentJob>, context: JobContext): Promise<void> => {
    const outcome = await ingestKnowledgeDocument(
      {
        db: context.db,
        queue: knowledgeQueue,
        logger: context.logger,
        ...(dependencies.keyring ? { keyring: dependencies.keyring } : {}),
      },
      { ...payload, attempt: context.attempt, maxAttempts: context.maxAttempts, signal: context.signal },
    );
    context.logger.info({ documentId: payload.documentId, generation: payload.generation, outcome }, "knowledge document processed");
  };
}
