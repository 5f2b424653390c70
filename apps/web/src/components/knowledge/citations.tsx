/**
 * Citations in an assistant's answer: the `[n]` markers in its text become links to the chunks they
 * cite, and the sources are listed under it, each with its document, position and heading path, and
 * linking to the chunk in its knowledge base, where it is highlighted.
 */
import Link from "next/link";
import { Fragment } from "react";
import styles from "./knowledge.module.css";
import { type Citation, chunkHref, formatHeadingPath } from "./shared";

/** What a citation needs to be shown and followed; `ref` is the number the answer cites it by. */
export type CitationLink = Pick<Citation, "chunkId" | "knowledgeBaseId" | "documentName" | "position" | "headingPath"> & {
  ref: number;
};

function describe(citation: CitationLink): string {
  const headingPath = formatHeadingPath(citation.headingPath);
  return `${citation.documentName}, chunk ${citation.position + 1}${headingPath ? `, ${headingPath}` : ""}`;
}

const markerPattern = /\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]/g;

/** The answer's text with each `[n]` (or `[1, 3]`) that names a citation turned into links; other brackets stay text. */
export function CitedText({ text, citations }: { text: string; citations: readonly CitationLink[] }) {
  if (citations.length === 0) return <>{text}</>;
  const byRef = new Map(citations.map((citation) => [citation.ref, citation]));
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(markerPattern)) {
    const numbers = (match[1] ?? "").split(",").map((number) => Number(number.trim()));
    if (!numbers.some((number) => byRef.has(number))) continue;
    parts.push(text.slice(last, match.index));
    parts.push(
      <span key={match.index} className={styles.citationMarker}>
        [
        {numbers.map((number, index) => {
          const citation = byRef.get(number);
          return (
            <Fragment key={number}>
              {index > 0 ? ", " : ""}
              {citation ? (
                <Link href={chunkHref(citation)} aria-label={`Source ${number}: ${describe(citation)}`} title={describe(citation)}>
                  {number}
                </Link>
              ) : (
                number
              )}
            </Fragment>
          );
        })}
        ]
      </span>,
    );
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

export function CitationList({ citations }: { citations: readonly CitationLink[] }) {
  if (citations.length === 0) return null;
  return (
    <div className={styles.citations} data-testid="message-citations">
      <span className="muted">Sources</span>
      <ol>
        {[...citations]
          .sort((left, right) => left.ref - right.ref)
          .map((citation) => {
            const headingPath = formatHeadingPath(citation.headingPath);
            return (
              <li key={`${citation.ref}:${citation.chunkId}`} value={citation.ref}>
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
