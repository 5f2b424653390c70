/**
 * /knowledge/[kbId]: a knowledge base's documents (upload, add by URL, live status), its retrieval test
 * and settings. `?tab=search` opens the retrieval test; `?chunk=<chunkId>` (where a citation links)
 * opens the chunk's document with the chunk highlighted.
 */
import type { Metadata } from "next";
import { KnowledgeBaseView } from "~/components/knowledge/knowledge-base-view";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { documentsPageInput, readyDocumentsInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Knowledge base" };

function firstOf(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

export default async function KnowledgeBasePage({
  params,
  searchParams,
}: {
  params: Promise<{ kbId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ kbId }, query] = await Promise.all([params, searchParams]);
  const chunkId = firstOf(query.chunk);
  await prefetchForProject((trpc, project) => [
    trpc.knowledge.get.queryOptions({ projectId: project.id, knowledgeBaseId: kbId }),
    trpc.knowledge.listDocuments.queryOptions(documentsPageInput(project.id, kbId)),
    // The retrieval test stays mounted behind its tab, with its choice of ready documents.
    trpc.knowledge.listDocuments.queryOptions(readyDocumentsInput(project.id, kbId)),
    ...(chunkId ? [trpc.knowledge.getChunk.queryOptions({ projectId: project.id, chunkId })] : []),
  ]);
  return (
    <HydrateClient>
      <KnowledgeBaseView knowledgeBaseId={kbId} chunkId={chunkId} initialTab={firstOf(query.tab)} />
    </HydrateClient>
  );
}
