/**
 * The sources under an assistant's answer: each citation names its document, position and heading
 * path, and links to the chunk in its knowledge base, where it is highlighted.
 */
import Link from "next/link";
import styles from "./knowledge.module.css";
import { type Citation, chunkHref, formatHeadingPath } from "./shared";

/** What a citation needs to be shown and followed; the API's citations have these and more. */
export type CitationLink = Pick<Citation, "chunkId" | "knowledgeBaseId" | "documentName" | "position" | "headingPath">;

export function CitationList({ citations }: { citations: readonly CitationLink[] }) {
  if (citations.length === 0) return null;
  return (
    <div className={styles.citations} data-testid="message-citations">
      <span className="muted">Sources</span>
      <ol>
        {citations.map((citation) => {
          const headingPath = formatHeadingPath(citation.headingPath);
          return (
            <li key={citation.chunkId}>
              <Link href={chunkHref(citation)}>
                {citation.documentName}, chunk {citation.position + 1}
              </Link>
              {headingPath ? <span className={styles.citationPath}> · {headingPath}</span> : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
