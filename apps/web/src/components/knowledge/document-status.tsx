/**
 * A document's status in words (never colour only), its ingestion progress while it is being indexed,
 * and, when ingestion failed, the reason as the server gave it.
 */

import styles from "./knowledge.module.css";
import { ProgressBar } from "./progress-bar";
import { documentStatusLabels, isDocumentWorking, type KnowledgeDocument } from "./shared";

const badgeClasses: Record<KnowledgeDocument["status"], string> = {
  queued: "badge badge-quiet",
  processing: `badge ${styles.working}`,
  ready: "badge badge-ok",
  failed: "badge badge-bad",
};

export function DocumentStatusCell({ document }: { document: KnowledgeDocument }) {
  const label = documentStatusLabels[document.status];
  return (
    <span className={styles.status}>
      <span className={badgeClasses[document.status]} data-testid="document-status">
        {label}
      </span>
      {isDocumentWorking(document.status) ? (
        <ProgressBar
          label={`Indexing ${document.name}`}
          value={document.progress}
          valueText={document.status === "queued" ? "Waiting for a worker" : `${Math.round(document.progress * 100)} %`}
        />
      ) : null}
      {document.status === "failed" && document.error ? (
        <span className={styles.failure} data-testid="document-error">
          {document.error}
        </span>
      ) : null}
    </span>
  );
}
