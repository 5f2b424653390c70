"use client";
/** The right-hand panel: a text file in an editor (save, rename, download, delete), or a folder (rename, delete). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import type { AccountProject } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { TextField } from "~/components/field";
import { formatDateTime } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./files.module.css";
import type { Selection } from "./files-view";
import { downloadUrl, formatBytes } from "./transfer";

interface PanelProps {
  project: AccountProject;
  path: string;
  canEdit: boolean;
  /** The new selection after a rename (the new path) or a delete (null). */
  onChanged: (selection: Selection | null) => void;
}

export function FileEditor({ project, path, canEdit, onChanged }: PanelProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const editorId = useId();
  const readQuery = trpc.workspace.read.queryOptions({ projectId: project.id, path });
  const file = useQuery({ ...readQuery, staleTime: 0, refetchOnWindowFocus: false });
  const [draft, setDraft] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspace.pathKey() });
  const save = useMutation(
    trpc.workspace.write.mutationOptions({
      onSuccess: async (result) => {
        setSavedAt(result.modifiedAt);
        await refresh();
        setDraft(null);
      },
    }),
  );
  const original = file.data?.content ?? "";
  const text = draft ?? original;
  const isDirty = draft !== null && draft !== original;

  useEffect(() => {
    // Leaving with unsaved text asks first.
    if (!isDirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [isDirty]);

  if (file.isPending) return <LoadingState label="Opening the file…" />;
  if (file.isError) {
    return (
      <>
        <PanelHeader project={project} path={path} canEdit={canEdit} kind="file" onChanged={onChanged} />
        <ErrorState error={file.error} onRetry={() => file.refetch()} />
      </>
    );
  }

  function handleSave(event: FormEvent) {
    event.preventDefault();
    save.mutate({ projectId: project.id, path, content: text });
  }

  return (
    <>
      <PanelHeader project={project} path={path} canEdit={canEdit} kind="file" onChanged={onChanged} />
      <p className="muted">
        {formatBytes(file.data.size)} · changed {formatDateTime(new Date(file.data.modifiedAt))}
      </p>
      {file.data.isBinary ? (
        <p className="callout callout-info">This file is not text; download it to open it.</p>
      ) : (
        <form onSubmit={handleSave} className={styles.editorForm}>
          <label htmlFor={editorId} className="visually-hidden">
            File content
          </label>
          <textarea
            id={editorId}
            className={styles.editor}
            value={text}
            readOnly={!canEdit}
            spellCheck={false}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              // Ctrl/Cmd+S saves, as in any editor, instead of saving the web page.
              if ((event.ctrlKey || event.metaKey) && event.key === "s") {
                event.preventDefault();
                if (canEdit) save.mutate({ projectId: project.id, path, content: text });
              }
            }}
          />
          {canEdit ? (
            <div className="button-row">
              <button type="submit" className="button button-primary" disabled={save.isPending || !isDirty}>
                {save.isPending ? "Saving…" : "Save"}
              </button>
              <span className="save-status" role="status">
                {isDirty ? "Unsaved changes" : savedAt ? `Saved at ${formatDateTime(new Date(savedAt))}` : ""}
              </span>
            </div>
          ) : null}
          <InlineError message={save.error ? `Could not save: ${errorMessage(save.error)}` : null} />
        </form>
      )}
    </>
  );
}

export function FolderPanel({ project, path, canEdit, onChanged }: PanelProps) {
  return (
    <>
      <PanelHeader project={project} path={path} canEdit={canEdit} kind="directory" onChanged={onChanged} />
      <p className="muted">New files, folders and uploads go into this folder.</p>
    </>
  );
}

function PanelHeader({ project, path, canEdit, kind, onChanged }: PanelProps & { kind: "file" | "directory" }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [isRenaming, setIsRenaming] = useState(false);
  const [newPath, setNewPath] = useState(path);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspace.pathKey() });
  const rename = useMutation(
    trpc.workspace.rename.mutationOptions({
      onSuccess: async (result) => {
        setIsRenaming(false);
        await refresh();
        onChanged({ path: result.to, kind });
      },
    }),
  );
  const remove = useMutation(
    trpc.workspace.delete.mutationOptions({
      onSuccess: async () => {
        await refresh();
        onChanged(null);
      },
    }),
  );
  const noun = kind === "file" ? "file" : "folder";

  function handleRename(event: FormEvent) {
    event.preventDefault();
    rename.mutate({ projectId: project.id, from: path, to: newPath.trim() });
  }

  return (
    <div className={styles.panelHeader}>
      <h2 className={styles.path}>{path}</h2>
      {isRenaming ? (
        <form onSubmit={handleRename} noValidate className={styles.renameForm}>
          <div className="form-inline">
            <TextField
              label="New path"
              autoComplete="off"
              value={newPath}
              maxLength={4096}
              autoFocus
              onChange={(event) => setNewPath(event.target.value)}
            />
            <button type="submit" className="button button-primary" disabled={rename.isPending || newPath.trim() === ""}>
              Rename
            </button>
            <button type="button" className="button button-ghost" onClick={() => setIsRenaming(false)}>
              Cancel
            </button>
          </div>
          <InlineError message={rename.error ? `Could not rename: ${errorMessage(rename.error)}` : null} />
        </form>
      ) : (
        <div className="button-row">
          {kind === "file" ? (
            <a className="button button-secondary button-small" href={downloadUrl(project.id, path)} download>
              Download
            </a>
          ) : null}
          {canEdit ? (
            <>
              <button type="button" className="button button-ghost button-small" onClick={() => setIsRenaming(true)}>
                Rename
              </button>
              <ConfirmButton
                label="Delete"
                accessibleLabel={`Delete ${path}`}
                prompt={kind === "file" ? `Delete “${path}”?` : `Delete “${path}” and everything in it?`}
                confirmLabel={`Delete ${noun}`}
                isPending={remove.isPending}
                onConfirm={() => remove.mutate({ projectId: project.id, path, recursive: kind === "directory" })}
              />
            </>
          ) : null}
        </div>
      )}
      <InlineError message={remove.error ? `Could not delete: ${errorMessage(remove.error)}` : null} />
    </div>
  );
}
