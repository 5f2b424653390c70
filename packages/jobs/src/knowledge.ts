/**
 * The knowledge queue on Graphile Worker: one ingestion job per (document, generation), keyed
 * `knowledge:{documentId}:{generation}` so a second enqueue (a retry, a re-index asking again) replaces
 * the pending job instead of adding one.
 */
import type { KnowledgeQueue } from "@gathering/core";
import type { DbExecutor } from "@gathering/db";
import { ingestKnowledgeDocumentJob } from "./catalog";
import { enqueue } from "./enqueue";

export function knowledgeIngestionJobKey(documentId: string, generation: number): string {
  return `knowledge:${documentId}:${generation}`;
}

export const knowledgeQueue: KnowledgeQueue = {
  async enqueueIngestion(tx: DbExecutor, job) {
    await enqueue(tx, ingestKnowledgeDocumentJob, job, { jobKey: knowledgeIngestionJobKey(job.documentId, job.generation) });
  },
};
