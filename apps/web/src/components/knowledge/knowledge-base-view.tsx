"use client";
/**
 * /knowledge/[kbId]: one knowledge base. Its facts on top (model, chunking, counts, a re-index in
 * progress), then tabs: the documents (add by upload or URL, live status and progress, retry, delete),
 * the retrieval test, a document's chunks, and the settings (rename, chunking, re-index with the same
 * or another model, delete). A citation link (`?chunk=`) opens the chunk's document with that chunk
 * highlighted and focused. Live from the project's knowledge events.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { ErrorState, LoadingState } from "~/components/feedback";
import { formatDateTime, formatNumber, hasRole } from "~/components/format";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { TabList, tabPanelProps } from "~/components/ui/tabs";
import { useTRPC } from "~/trpc/react";
import { AddDocuments } from "./add-documents";
import { CitedChunkView, DocumentChunksView } from "./chunk-view";
import { DocumentsTable, type StatusFilter } from "./documents-table";
import styles from "./knowledge.module.css";
import { KnowledgeBaseSettings } from "./knowledge-base-settings";
import { RetrievalTest } from "./retrieval-test";
import { embeddingModelLabel, type KnowledgeBase } from "./shared";
import { useLiveKnowledge } from "./use-live-knowledge";

type Tab = "documents" | "search" | "chunks" | "settings";

const tabLabels: Record<Tab, string> = { documents: "Documents", search: "Retrieval test", chunks: "Chunks", settings: "Settings" };

/** What the chunks tab shows: a cited chunk in its document, or a document chosen in the table. */
type ChunksTarget = { chunkId: string } | { documentId: string };

interface KnowledgeBaseViewProps {
  knowledgeBaseId: string;
  /** The chunk a citation points at, from `?chunk=`. */
  chunkId: string | null;
  /** `?tab=search` opens the retrieval test. */
  initialTab: string | null;
}

export function KnowledgeBaseView({ knowledgeBaseId, chunkId, initialTab }: KnowledgeBaseViewProps) {
  const tab: Tab = chunkId ? "chunks" : initialTab === "search" ? "search" : initialTab === "settings" ? "settings" : "documents";
  return (
    <ProjectScope>
      {(project) => (
        // Keyed by the link's target: following another citation opens it, whatever tab was open.
        <KnowledgeBaseDetail
          key={`${chunkId ?? ""}:${tab}`}
          project={project}
          knowledgeBaseId={knowledgeBaseId}
          chunkId={chunkId}
          initialTab={tab}
        />
      )}
    </ProjectScope>
  );
}

function KnowledgeBaseDetail({
  project,
  knowledgeBaseId,
  chunkId,
  initialTab,
}: {
  project: AccountProject;
  knowledgeBaseId: string;
  chunkId: string | null;
  initialTab: Tab;
}) {
  const trpc = useTRPC();
  useLiveKnowledge(project.id);
  const tabsId = useId();
  const [tab, setTab] = useState<Tab>(initialTab);
  const [chunksTarget, setChunksTarget] = useState<ChunksTarget | null>(chunkId ? { chunkId } : null);
  const [status, setStatus] = useState<StatusFilter>("all");
  const knowledgeBase = useQuery(trpc.knowledge.get.queryOptions({ projectId: project.id, knowledgeBaseId }));
  if (knowledgeBase.isPending) return <LoadingState label="Loading the knowledge base…" />;
  if (knowledgeBase.isError) {
    return (
      <>
        <header className="page-header">
          <h1>Knowledge base</h1>
        </header>
        <ErrorState error={knowledgeBase.error} onRetry={() => knowledgeBase.refetch()} />
        <p>
          <Link href="/knowledge">All knowledge bases</Link>
        </p>
      </>
    );
  }
  const base = knowledgeBase.data;
  const canEdit = hasRole(project.role, "member");
  const tabs: Tab[] = ["documents", "search", ...(chunksTarget ? (["chunks"] as const) : []), ...(canEdit ? (["settings"] as const) : [])];

  return (
    <>
      <Overview base={base} />
      <TabList
        label="Knowledge base"
        idPrefix={tabsId}
        tabs={tabs.map((name) => ({ name, label: tabLabels[name] }))}
        selected={tab}
        onSelect={setTab}
      />
      <div {...tabPanelProps(tabsId, "documents", tab)}>
        {canEdit ? <AddDocuments project={project} knowledgeBase={base} /> : null}
        <DocumentsTable
          project={project}
          knowledgeBase={base}
          canEdit={canEdit}
          status={status}
          onStatusChange={setStatus}
          onShowChunks={(chosen) => {
            setChunksTarget({ documentId: chosen.id });
            setTab("chunks");
          }}
        />
      </div>
      {/* The retrieval test stays mounted: its query and results survive a look at the documents. */}
      <div {...tabPanelProps(tabsId, "search", tab)}>
        <RetrievalTest project={project} knowledgeBase={base} />
      </div>
      {chunksTarget ? (
        <div {...tabPanelProps(tabsId, "chunks", tab)}>
          {tab !== "chunks" ? null : "chunkId" in chunksTarget ? (
            <CitedChunkView project={project} knowledgeBase={base} chunkId={chunksTarget.chunkId} />
          ) : (
            <DocumentChunksView key={chunksTarget.documentId} project={project} documentId={chunksTarget.documentId} citedChunkId={null} />
          )}
        </div>
      ) : null}
      {canEdit ? (
        <div {...tabPanelProps(tabsId, "settings", tab)}>
          {tab === "settings" ? <KnowledgeBaseSettings key={base.updatedAt.toISOString()} project={project} knowledgeBase={base} /> : null}
        </div>
      ) : null}
    </>
  );
}

function Overview({ base }: { base: KnowledgeBase }) {
  return (
    <header className="page-header">
      <div className="section-header">
        <h1>{base.name}</h1>
        <Button asChild variant="ghost">
          <Link href="/knowledge">All knowledge bases</Link>
        </Button>
      </div>
      {base.description ? <p className="muted">{base.description}</p> : null}
      <dl className={styles.facts}>
        <div>
          <dt>Embedding model</dt>
          <dd>
            <span className="mono">{embeddingModelLabel(base.embedding)}</span>
            {base.embedding.provider === "local" ? " (offline, built in)" : ""}
          </dd>
        </div>
        <div>
          <dt>Chunking</dt>
          <dd>
            up to {formatNumber(base.chunkSize)} characters, {formatNumber(base.chunkOverlap)} overlap
          </dd>
        </div>
        <div>
          <dt>Documents</dt>
          <dd>
            <span data-testid="knowledge-document-count">{formatNumber(base.documentCount)}</span> · {formatNumber(base.readyDocumentCount)}{" "}
            ready
            {base.failedDocumentCount > 0 ? ` · ${formatNumber(base.failedDocumentCount)} failed` : ""}
          </dd>
        </div>
        <div>
          <dt>Searchable chunks</dt>
          <dd data-testid="knowledge-chunk-count">{formatNumber(base.chunkCount)}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{formatDateTime(base.updatedAt)}</dd>
        </div>
      </dl>
      {base.pendingIndex ? (
        <p className="callout callout-info" role="status">
          <Badge tone="warn">Re-indexing</Badge> with <span className="mono">{embeddingModelLabel(base.pendingIndex)}</span>: searches use
          the current index until every ready document is rebuilt, then switch over at once.
        </p>
      ) : null}
    </header>
  );
}
