"use client";
/**
 * A knowledge base's documents, paged on the server with "Load more" and filtered by status: each
 * with its source, status and ingestion progress (live from events), chunk count and, when it failed,
 * why, with a retry. Deleting asks first; the document's chunks leave search results at once.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmButton } from "~/components/confirm-button";
import type { AccountProject } from "~/components/current-project";
import { EmptyState } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { formatDateTime, formatNumber } from "~/components/format";
import { Button } from "~/components/ui/button";
import { PagedTable, usePagedList } from "~/components/ui/paged-table";
import { toast } from "~/components/ui/toast";
import { errorMessage } from "~/trpc/errors";
import { documentsPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import { DocumentStatusCell } from "./document-status";
import styles from "./knowledge.module.css";
import {
  acceptedFormatsText,
  type DocumentStatus,
  documentFormatLabels,
  documentStatusLabels,
  formatBytes,
  type KnowledgeBase,
  type KnowledgeDocument,
} from "./shared";

export type StatusFilter = DocumentStatus | "all";

interface DocumentsTableProps {
  project: AccountProject;
  knowledgeBase: KnowledgeBase;
  canEdit: boolean;
  status: StatusFilter;
  onStatusChange: (status: StatusFilter) => void;
  /** Opens a document's chunks. */
  onShowChunks: (document: KnowledgeDocument) => void;
}

export function DocumentsTable({ project, knowledgeBase, canEdit, status, onStatusChange, onShowChunks }: DocumentsTableProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = usePagedList<KnowledgeDocument>(
    status,
    (cursor) => trpc.knowledge.listDocuments.queryOptions(documentsPageInput(project.id, knowledgeBase.id, status, cursor)),
    (item) => item.id,
  );
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.knowledge.listDocuments.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.knowledge.get.queryKey() });
  };
  const retry = useMutation(
    trpc.knowledge.retryDocument.mutationOptions({
      onSuccess: async (document) => {
        toast.success(`Indexing “${document.name}” again`);
        await refresh();
      },
      onError: (error) => toast.error(`Could not retry the document: ${errorMessage(error)}`),
    }),
  );
  const remove = useMutation(
    trpc.knowledge.deleteDocument.mutationOptions({
      onSuccess: async () => {
        toast.success("Document deleted: its chunks are no longer found");
        await refresh();
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.search.queryKey() });
      },
      onError: (error) => toast.error(`Could not delete the document: ${errorMessage(error)}`),
    }),
  );
  const statusOptions: { value: StatusFilter; label: string }[] = [
    { value: "all", label: "All documents" },
    ...(Object.keys(documentStatusLabels) as DocumentStatus[]).map((value) => ({ value, label: documentStatusLabels[value] })),
  ];

  return (
    <section className="section" aria-labelledby="documents-heading">
      <div className="section-header">
        <h2 id="documents-heading">Documents</h2>
        <div className={styles.statusFilter}>
          <SelectField<StatusFilter> label="Show" value={status} options={statusOptions} onChange={onStatusChange} />
        </div>
      </div>
      <PagedTable
        list={list}
        label="Documents"
        noun={{ one: "document", other: "documents" }}
        columns={[
          { header: "Document" },
          { header: "Status" },
          { header: "Chunks" },
          { header: "Added" },
          { header: "Actions", isHeaderHidden: true },
        ]}
        rowKey={(document) => document.id}
        isFiltered={status !== "all"}
        filterSummary={status === "all" ? "" : `with status “${documentStatusLabels[status]}”`}
        emptyFiltered={
          <EmptyState title={`No documents with status “${status === "all" ? "" : documentStatusLabels[status]}”`}>
            Show all documents to see the others.
          </EmptyState>
        }
        empty={
          <EmptyState title="No documents yet">
            {canEdit ? `Upload files (${acceptedFormatsText}) or add a page by URL above.` : "A member of the project can add documents."}
          </EmptyState>
        }
        renderRow={(document) => {
          const ref = { projectId: project.id, documentId: document.id };
          return (
            <>
              <th scope="row" className={`cell-wrap ${styles.nameCell}`} data-testid="document-name">
                {document.name}
                <span className={styles.rowDescription}>
                  {document.sourceUrl ? (
                    <a href={document.sourceUrl} target="_blank" rel="noreferrer noopener">
                      {document.sourceUrl}
                    </a>
                  ) : (
                    "Uploaded"
                  )}
                  {` · ${documentFormatLabels[document.format]} · ${formatBytes(document.sizeBytes)}`}
                </span>
              </th>
              <td data-testid="document-state" data-status={document.status}>
                <DocumentStatusCell document={document} />
              </td>
              <td className="nowrap" data-testid="document-chunks">
                {document.status === "ready" ? formatNumber(document.chunkCount) : <span className="muted">—</span>}
              </td>
              <td className="nowrap">{formatDateTime(document.createdAt)}</td>
              <td className="cell-actions">
                {document.status === "ready" ? (
                  <Button
                    variant="ghost"
                    size="small"
                    aria-label={`Show the chunks of ${document.name}`}
                    onClick={() => onShowChunks(document)}
                  >
                    Chunks
                  </Button>
                ) : null}
                {canEdit && document.status === "failed" ? (
                  <Button
                    variant="secondary"
                    size="small"
                    aria-label={`Retry ${document.name}`}
                    disabled={retry.isPending && retry.variables?.documentId === document.id}
                    onClick={() => retry.mutate(ref)}
                  >
                    Retry
                  </Button>
                ) : null}
                {canEdit ? (
                  <ConfirmButton
                    label="Delete"
                    accessibleLabel={`Delete ${document.name}`}
                    prompt={`Delete “${document.name}” and its chunks? Agents stop finding it at once.`}
                    confirmLabel="Delete document"
                    isPending={remove.isPending && remove.variables?.documentId === document.id}
                    onConfirm={() => remove.mutate(ref)}
                  />
                ) : null}
              </td>
            </>
          );
        }}
      />
    </section>
  );
}
