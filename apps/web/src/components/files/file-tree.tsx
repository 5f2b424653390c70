"use client";
/** The workspace as a nested list: folders open and close, a click selects a file or folder. */
import { useState } from "react";
import styles from "./files.module.css";
import type { Selection, WorkspaceEntry } from "./files-view";
import { formatBytes } from "./transfer";

interface FileTreeProps {
  entries: WorkspaceEntry[];
  selection: Selection | null;
  onSelect: (selection: Selection) => void;
  isTruncated: boolean;
}

export function FileTree({ entries, selection, onSelect, isTruncated }: FileTreeProps) {
  // Folders start closed, except those on the way to the selection.
  const [openFolders, setOpenFolders] = useState<ReadonlySet<string>>(new Set());
  const toggle = (path: string) =>
    setOpenFolders((current) => {
      const next = new Set(current);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });
  const isOpen = (path: string) => openFolders.has(path) || (selection?.path.startsWith(`${path}/`) ?? false);

  return (
    <>
      <ul className={styles.tree} aria-label="Workspace files">
        <TreeLevel entries={entries} selection={selection} onSelect={onSelect} isOpen={isOpen} onToggle={toggle} />
      </ul>
      {isTruncated ? <p className="muted">Some files are not shown: the workspace is larger than one listing holds.</p> : null}
    </>
  );
}

function TreeLevel({
  entries,
  selection,
  onSelect,
  isOpen,
  onToggle,
}: {
  entries: WorkspaceEntry[];
  selection: Selection | null;
  onSelect: (selection: Selection) => void;
  isOpen: (path: string) => boolean;
  onToggle: (path: string) => void;
}) {
  return entries.map((entry) => {
    const isFolder = entry.kind === "directory";
    const isSelected = selection?.path === entry.path;
    const isExpanded = isFolder && isOpen(entry.path);
    return (
      <li key={entry.path}>
        <div className={styles.treeRow} data-selected={isSelected || undefined}>
          {isFolder ? (
            <button
              type="button"
              className={styles.twisty}
              aria-label={`${isExpanded ? "Close" : "Open"} folder ${entry.name}`}
              aria-expanded={isExpanded}
              onClick={() => onToggle(entry.path)}
            >
              {isExpanded ? "▾" : "▸"}
            </button>
          ) : (
            <span className={styles.twisty} aria-hidden="true" />
          )}
          <button
            type="button"
            className={styles.treeItem}
            aria-current={isSelected ? "true" : undefined}
            title={entry.path}
            onClick={() => {
              onSelect({ path: entry.path, kind: entry.kind });
              if (isFolder && !isExpanded) onToggle(entry.path);
            }}
          >
            <EntryIcon kind={entry.kind} />
            <span className={styles.name}>{entry.name}</span>
          </button>
          {isFolder ? null : <span className={styles.size}>{formatBytes(entry.size)}</span>}
        </div>
        {isExpanded && entry.children && entry.children.length > 0 ? (
          <ul className={styles.tree} aria-label={`Contents of ${entry.name}`}>
            <TreeLevel entries={entry.children} selection={selection} onSelect={onSelect} isOpen={isOpen} onToggle={onToggle} />
          </ul>
        ) : null}
      </li>
    );
  });
}

/** Drawn, not emoji: servers and kiosks often have no emoji font, and tofu boxes read as broken. */
function EntryIcon({ kind }: { kind: WorkspaceEntry["kind"] }) {
  if (kind === "directory") {
    return (
      <svg className={`${styles.icon} ${styles.folderIcon}`} viewBox="0 0 16 16" aria-hidden="true">
        <path d="M1.5 3.5h4.2l1.5 1.6h7.3v7.9h-13z" fill="currentColor" opacity="0.85" />
      </svg>
    );
  }
  return (
    <svg className={styles.icon} viewBox="0 0 16 16" aria-hidden="true">
      <path d="M3.5 1.5h6l3 3v10h-9z" fill="none" stroke="currentColor" strokeWidth="1.2" />
      {kind === "symlink" ? <path d="M6 10.5l4-4M7 6.5h3v3" fill="none" stroke="currentColor" strokeWidth="1.2" /> : null}
    </svg>
  );
}
