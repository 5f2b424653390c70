"use client";
/**
 * /knowledge: the project's knowledge bases, each with its embedding model (the offline one said to
 * be so), documents (ready, failed) and chunks, a re-index in progress, and links to its documents
 * and its retrieval test; and the form to create one (members and above). Live from events.
 */
import Link from "next/link";
import { useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState } from "~/components/feedback";
import { formatDateTime, formatNumber, hasRole } from "~/components/format";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { ListToolbar, PagedTable, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { knowledgeBasesPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import styles from "./knowledge.module.css";
import { KnowledgeBaseForm } from "./knowledge-base-form";
import { embeddingModelLabel, type KnowledgeBase } from "./shared";
import { useLiveKnowledge } from "./use-live-knowledge";

export function KnowledgeBasesView() {
  return <ProjectScope>{(project) => <ProjectKnowledgeBases project={project} />}</ProjectScope>;
}

function ProjectKnowledgeBases({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  useLiveKnowledge(project.id);
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  const list = usePagedList<KnowledgeBase>(
    search,
    (cursor) => trpc.knowledge.list.queryOptions(knowledgeBasesPageInput(project.id, search, cursor)),
    (item) => item.id,
  );
  const canEdit = hasRole(project.role, "member");

  return (
    <>
      <section className="section" aria-labelledby="knowledge-bases-heading">
        <div className="section-header">
          <h2 id="knowledge-bases-heading">Knowledge bases of {project.name}</h2>
          {canEdit ? (
            <Button asChild variant="primary">
              <a href="#new-knowledge-base">New knowledge base</a>
            </Button>
          ) : null}
        </div>
        <ListToolbar
          searchLabel="Search knowledge bases"
          placeholder="Search by name or description"
          value={searchText}
          onChange={setSearchText}
        />
        <PagedTable
          list={list}
          label="Knowledge bases"
          noun={{ one: "knowledge base", other: "knowledge bases" }}
          columns={[
            { header: "Name" },
            { header: "Embedding model" },
            { header: "Documents" },
            { header: "Chunks" },
            { header: "Updated" },
            { header: "Actions", isHeaderHidden: true },
          ]}
          rowKey={(base) => base.id}
          isFiltered={search !== ""}
          filterSummary={`matching “${search}”`}
          emptyFiltered={<EmptyState title="No knowledge bases match">Try other words.</EmptyState>}
          empty={
            <EmptyState title="No knowledge bases yet">
              {canEdit
                ? "Create one below, then upload documents or add pages by URL; the offline embedder works without any API key."
                : "A member of the project can create one."}
            </EmptyState>
          }
          renderRow={(base) => <KnowledgeBaseCells base={base} />}
        />
      </section>
      {canEdit ? (
        <section className="section panel" id="new-knowledge-base" aria-labelledby="new-knowledge-base-heading">
          <h2 id="new-knowledge-base-heading">New knowledge base</h2>
          <p className="muted">
            Documents are split into chunks of at most the chunk size, along headings, paragraphs and sentences; each chunk is embedded with
            the chosen model and indexed for full-text search.
          </p>
          <KnowledgeBaseForm project={project} />
        </section>
      ) : null}
    </>
  );
}

function KnowledgeBaseCells({ base }: { base: KnowledgeBase }) {
  return (
    <>
      <th scope="row" className={`cell-wrap ${styles.nameCell}`}>
        <Link href={`/knowledge/${base.id}`}>{base.name}</Link>
        {base.pendingIndex ? <Badge tone="warn">Re-indexing</Badge> : null}
        {base.description ? <span className={styles.rowDescription}>{base.description}</span> : null}
      </th>
      <td className="cell-wrap">
        <span className="mono">{embeddingModelLabel(base.embedding)}</span>
        {base.embedding.provider === "local" ? <span className={styles.rowDescription}>Offline, built in</span> : null}
      </td>
      <td className="nowrap">
        {formatNumber(base.documentCount)}
        <span className={styles.rowDescription}>
          {formatNumber(base.readyDocumentCount)} ready
          {base.failedDocumentCount > 0 ? ` · ${formatNumber(base.failedDocumentCount)} failed` : ""}
        </span>
      </td>
      <td className="nowrap">{formatNumber(base.chunkCount)}</td>
      <td className="nowrap">{formatDateTime(base.updatedAt)}</td>
      <td className="cell-actions">
        <Button asChild variant="secondary" size="small">
          <Link href={`/knowledge/${base.id}`} aria-label={`Open ${base.name}`}>
            Open
          </Link>
        </Button>
        <Button asChild variant="ghost" size="small">
          <Link href={`/knowledge/${base.id}?tab=search`} aria-label={`Test retrieval in ${base.name}`}>
            Test retrieval
          </Link>
        </Button>
      </td>
    </>
  );
}
