/**
 * /knowledge/[kbId]: a knowledge base's documents (upload, add by URL, live status), its retrieval test
 * and settings. `?tab=search` opens the retrieval test; `?chunk=<chunkId>` (where a citation links)
 * opens the chunk's document with the chunk highlighted.
 */
import type { Metadata } from "next";
import { KnowledgeBaseView } from "~/components/knowledge/knowledge-base-view";

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
  return <KnowledgeBaseView knowledgeBaseId={kbId} chunkId={firstOf(query.chunk)} initialTab={firstOf(query.tab)} />;
}
