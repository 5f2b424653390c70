"use client";
/**
 * The workspace file browser: a tree on the left; on the right the selected file in a text editor
 * (save, rename, download, delete) or the selected folder (rename, delete). New files, folders and
 * uploads go into the selected folder. Viewers browse and download; members change.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { TextField } from "~/components/field";
import { hasRole } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { FileEditor, FolderPanel } from "./file-editor";
import { FileTree } from "./file-tree";
import styles from "./files.module.css";
import { formatBytes, joinPath, parentOf, uploadFile } from "./transfer";

export type WorkspaceEntry = RouterOutputs["workspace"]["tree"]["entries"][number];
export interface Selection {
  path: string;
  kind: WorkspaceEntry["kind"];
}

export function FilesView() {
  return <ProjectScope>{(project) => <ProjectFiles project={project} />}</ProjectScope>;
}

function ProjectFiles({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const treeQuery = trpc.workspace.tree.queryOptions({ projectId: project.id, depth: 8 });
  const tree = useQuery({ ...treeQuery, staleTime: 0 });
  const canEdit = hasRole(project.role, "member");
  const [selection, setSelection] = useState<Selection | null>(null);
  const [creating, setCreating] = useState<"file" | "folder" | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [isUploading, setIsUploading] = useState(false);

  // New things go into the selected folder, or beside the selected file.
  const targetFolder = selection ? (selection.kind === "directory" ? selection.path : parentOf(selection.path)) : "";
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspace.pathKey() });

  async function handleUpload(event: ChangeEvent<HTMLInputElement>) {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";
    if (files.length === 0) return;
    setFailure(null);
    setIsUploading(true);
    try {
      for (const file of files) await uploadFile(project.id, joinPath(targetFolder, file.name), file);
      const last = files.at(-1);
      if (last) setSelection({ path: joinPath(targetFolder, last.name), kind: "file" });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setIsUploading(false);
      await refresh();
    }
  }

  return (
    <section className="section" aria-labelledby="files-heading">
      <div className="section-header">
        <h2 id="files-heading">Workspace of {project.name}</h2>
        {tree.data ? (
          <p className="muted">
            {formatBytes(tree.data.usage.bytes)} of {formatBytes(tree.data.usage.limitBytes)} used
          </p>
        ) : null}
      </div>
      {canEdit ? (
        <div className={styles.toolbar}>
          <button type="button" className="button button-secondary button-small" onClick={() => setCreating("file")}>
            New file
          </button>
          <button type="button" className="button button-secondary button-small" onClick={() => setCreating("folder")}>
            New folder
          </button>
          <label className={`button button-secondary button-small ${styles.uploadButton}`}>
            {isUploading ? "Uploading…" : "Upload"}
            <input
              type="file"
              multiple
              className="visually-hidden"
              aria-label="Upload files"
              disabled={isUploading}
              onChange={handleUpload}
            />
          </label>
          <span className="muted">{targetFolder === "" ? "Into the workspace root" : `Into ${targetFolder}/`}</span>
        </div>
      ) : null}
      {creating ? (
        <CreateForm
          project={project}
          kind={creating}
          folder={targetFolder}
          onDone={(created) => {
            setCreating(null);
            if (created) setSelection(created);
          }}
        />
      ) : null}
      <InlineError message={failure} />
      <div className={styles.layout}>
        <div className={`panel ${styles.treePanel}`}>
          {tree.isPending ? (
            <LoadingState label="Loading files…" />
          ) : tree.isError ? (
            <ErrorState error={tree.error} onRetry={() => tree.refetch()} />
          ) : tree.data.entries.length === 0 ? (
            <EmptyState title="No files yet">
              {canEdit ? "Create a file or upload one; agents with file tools can write here too." : "Members and agents can add files."}
            </EmptyState>
          ) : (
            <FileTree entries={tree.data.entries} selection={selection} onSelect={setSelection} isTruncated={tree.data.isTruncated} />
          )}
        </div>
        <div className={`panel ${styles.editorPanel}`}>
          {selection === null ? (
            <EmptyState title="Nothing open">Pick a file in the tree to read or edit it.</EmptyState>
          ) : selection.kind === "directory" ? (
            <FolderPanel key={selection.path} project={project} path={selection.path} canEdit={canEdit} onChanged={setSelection} />
          ) : (
            <FileEditor key={selection.path} project={project} path={selection.path} canEdit={canEdit} onChanged={setSelection} />
          )}
        </div>
      </div>
    </section>
  );
}

function CreateForm({
  project,
  kind,
  folder,
  onDone,
}: {
  project: AccountProject;
  kind: "file" | "folder";
  folder: string;
  onDone: (created: Selection | null) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const onSuccess = async (path: string) => {
    await queryClient.invalidateQueries({ queryKey: trpc.workspace.pathKey() });
    onDone({ path, kind: kind === "file" ? "file" : "directory" });
  };
  const createFile = useMutation(trpc.workspace.write.mutationOptions({ onSuccess: (result) => onSuccess(result.path) }));
  const createFolder = useMutation(trpc.workspace.mkdir.mutationOptions({ onSuccess: (result) => onSuccess(result.path) }));
  const mutation = kind === "file" ? createFile : createFolder;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const path = joinPath(folder, name);
    if (kind === "file") createFile.mutate({ projectId: project.id, path, content: "", createOnly: true });
    else createFolder.mutate({ projectId: project.id, path });
  }

  return (
    <form className={styles.createForm} onSubmit={handleSubmit} noValidate>
      <div className="form-inline">
        <TextField
          label={kind === "file" ? "New file name" : "New folder name"}
          autoComplete="off"
          placeholder={kind === "file" ? "notes.md" : "reports"}
          maxLength={1000}
          value={name}
          autoFocus
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" className="button button-primary" disabled={mutation.isPending || name.trim() === ""}>
          {kind === "file" ? "Create file" : "Create folder"}
        </button>
        <button type="button" className="button button-ghost" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
      <p className="field-hint">{folder === "" ? "In the workspace root" : `In ${folder}/`}; use / to make sub-folders.</p>
      <InlineError message={mutation.error ? errorMessage(mutation.error) : null} />
    </form>
  );
}
