"use client";
/**
 * A document's chunks in order, as they are searched (position, heading path, text). Where a citation
 * leads, the cited chunk is highlighted, scrolled into view and focused, so keyboard and screen reader
 * users land on it too; a chunk that no longer exists (its document was deleted, or re-indexed into
 * new chunks) says so.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import type { AccountProject } from "~/components/current-project";
import { ErrorState, LoadingState } from "~/components/feedback";
import { formatNumber } from "~/components/format";
import { appCodeOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./knowledge.module.css";
import { type DocumentChunk, formatHeadingPath, type KnowledgeBase } from "./shared";

/** Enough for any document of the 10 MB limit at the smallest chunk size to show whole in practice; the API caps at 2,000. */
const CHUNK_LIMIT = 2_000;

export function CitedChunkView({
  project,
  knowledgeBase,
  chunkId,
}: {
  project: AccountProject;
  knowledgeBase: KnowledgeBase;
  chunkId: string;
}) {
  const trpc = useTRPC();
  const cited = useQuery(trpc.knowledge.getChunk.queryOptions({ projectId: project.id, chunkId }));
  if (cited.isPending) return <LoadingState label="Loading the cited chunk…" />;
  if (cited.isError) {
    return (
      <ErrorState
        error={cited.error}
        title={appCodeOf(cited.error) === "NOT_FOUND" ? "This chunk is gone: its document was deleted or indexed again" : undefined}
      />
    );
  }
  if (cited.data.knowledgeBaseId !== knowledgeBase.id) {
    return <p className="callout callout-warning">This chunk belongs to another knowledge base.</p>;
  }
  return <DocumentChunksView project={project} documentId={cited.data.documentId} citedChunkId={chunkId} citedFallback={cited.data} />;
}

interface DocumentChunksViewProps {
  project: AccountProject;
  documentId: string;
  citedChunkId: string | null;
  /** The cited chunk itself, shown on its own if the document's list does not reach it. */
  citedFallback?: DocumentChunk;
}

export function DocumentChunksView({ project, documentId, citedChunkId, citedFallback }: DocumentChunksViewProps) {
  const trpc = useTRPC();
  const document = useQuery(trpc.knowledge.getDocument.queryOptions({ projectId: project.id, documentId, chunkLimit: CHUNK_LIMIT }));
  const highlightedRef = useRef<HTMLLIElement>(null);
  const isLoaded = document.isSuccess;

  useEffect(() => {
    if (!isLoaded) return;
    const element = highlightedRef.current;
    if (!element) return;
    element.scrollIntoView({ block: "center" });
    element.focus({ preventScroll: true });
  }, [isLoaded]);

  if (document.isPending) return <LoadingState label="Loading the document’s chunks…" />;
  if (document.isError) return <ErrorState error={document.error} onRetry={() => document.refetch()} />;
  const { name, chunks, chunkCount } = document.data;
  const isCitedListed = citedChunkId !== null && chunks.some((chunk) => chunk.id === citedChunkId);
  // A cited chunk past the listed ones still shows, first.
  const shown = citedFallback && !isCitedListed ? [citedFallback, ...chunks] : chunks;
  const cited = shown.find((chunk) => chunk.id === citedChunkId);
  return (
    <section className="section" aria-labelledby="chunks-heading">
      <h2 id="chunks-heading">{name}</h2>
      <p className="muted">
        {formatNumber(chunkCount)} chunk{chunkCount === 1 ? "" : "s"}
        {chunks.length < chunkCount ? `, the first ${formatNumber(chunks.length)} shown` : ""}
        {cited ? ` · cited: chunk ${cited.position + 1}` : ""}
      </p>
      <ol className={styles.chunks} aria-label={`Chunks of ${name}`}>
        {shown.map((chunk) => (
          <ChunkItem key={chunk.id} chunk={chunk} isCited={chunk.id === citedChunkId} highlightedRef={highlightedRef} />
        ))}
      </ol>
    </section>
  );
}

function ChunkItem({
  chunk,
  isCited,
  highlightedRef,
}: {
  chunk: DocumentChunk;
  isCited: boolean;
  highlightedRef: React.RefObject<HTMLLIElement | null>;
}) {
  const headingPath = formatHeadingPath(chunk.headingPath);
  return (
    <li
      ref={isCited ? highlightedRef : undefined}
      tabIndex={isCited ? -1 : undefined}
      className={`${styles.chunk}${isCited ? ` ${styles.chunkHighlighted}` : ""}`}
      aria-current={isCited ? "true" : undefined}
      aria-label={isCited ? `Cited chunk ${chunk.position + 1}` : undefined}
      data-testid={isCited ? "cited-chunk" : "chunk"}
    >
      <div className={styles.chunkMeta}>
        <span>Chunk {chunk.position + 1}</span>
        {headingPath ? <span className={styles.citationPath}>{headingPath}</span> : null}
        <span>
          characters {formatNumber(chunk.startOffset)}–{formatNumber(chunk.endOffset)}
        </span>
        {isCited ? <strong>Cited</strong> : null}
      </div>
      <p className={styles.hitText}>{chunk.content}</p>
    </li>
  );
}
