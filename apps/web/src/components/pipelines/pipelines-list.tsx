"use client";
/**
 * /pipelines: the project's pipelines with server-side search, archived ones on request, paged with
 * "Load more"; per row open, run (with its inputs), duplicate, export as JSON, archive and restore;
 * and import of an export, pasted or uploaded.
 */
import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useId, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { errorMessage } from "~/trpc/errors";
import { useTRPC, useTRPCClient } from "~/trpc/react";
import { Dialog } from "./dialog";
import styles from "./pipelines.module.css";
import { ProblemsList, problemsOfError } from "./problems";
import { RunDialog } from "./run-dialog";
import { downloadJson, exportFileName, type Pipeline } from "./shared";
import { toast } from "./toasts";
import { useLivePipelines } from "./use-live-pipelines";

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;

export function PipelinesList() {
  return <ProjectScope>{(project) => <ProjectPipelines project={project} />}</ProjectScope>;
}

/** The search text once typing pauses, so each keystroke does not cost a request. */
function useSettledValue(value: string, delayMs: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

function ProjectPipelines({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  useLivePipelines(project.id);
  const searchId = useId();
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim(), SEARCH_DELAY_MS);
  const [includeArchived, setIncludeArchived] = useState(false);
  const [isImporting, setIsImporting] = useState(false);
  // The cursor of each loaded page, for one filter: a new search or toggle starts again from the first page.
  const filterKey = `${includeArchived}:${search}`;
  const [paging, setPaging] = useState<{ filterKey: string; cursors: (string | undefined)[] }>({ filterKey, cursors: [undefined] });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [undefined];

  const pages = useQueries({
    queries: cursors.map((cursor) =>
      trpc.pipelines.list.queryOptions({ projectId: project.id, search: search || undefined, includeArchived, limit: PAGE_SIZE, cursor }),
    ),
  });
  const firstPage = pages[0];
  const lastPage = pages.at(-1);
  const seen = new Set<string>();
  const pipelines = pages
    .flatMap((page) => page.data?.items ?? [])
    .filter((pipeline) => {
      if (seen.has(pipeline.id)) return false;
      seen.add(pipeline.id);
      return true;
    });
  const nextCursor = lastPage?.data?.nextCursor ?? null;
  const canEdit = hasRole(project.role, "member");
  const isFiltered = search !== "" || includeArchived;

  return (
    <section className="section" aria-labelledby="pipelines-heading">
      <div className="section-header">
        <h2 id="pipelines-heading">Pipelines of {project.name}</h2>
        {canEdit ? (
          <div className="toolbar">
            <button type="button" className="button button-secondary" onClick={() => setIsImporting(true)}>
              Import
            </button>
            <Link href="/pipelines/new" className="button button-primary">
              New pipeline
            </Link>
          </div>
        ) : null}
      </div>
      <div className={styles.search}>
        <label htmlFor={searchId} className="visually-hidden">
          Search pipelines
        </label>
        <input
          id={searchId}
          type="search"
          placeholder="Search by name"
          value={searchText}
          maxLength={100}
          onChange={(event) => setSearchText(event.target.value)}
        />
        <label className={styles.checkbox}>
          <input type="checkbox" checked={includeArchived} onChange={(event) => setIncludeArchived(event.target.checked)} />
          Show archived
        </label>
      </div>
      {!firstPage || firstPage.isPending ? (
        <LoadingState label="Loading pipelines…" />
      ) : firstPage.isError ? (
        <ErrorState error={firstPage.error} onRetry={() => firstPage.refetch()} />
      ) : pipelines.length === 0 ? (
        isFiltered ? (
          <EmptyState title="No pipelines match">Try other words{includeArchived ? "" : ", or show archived pipelines"}.</EmptyState>
        ) : (
          <EmptyState title="No pipelines yet">
            {canEdit
              ? "Create one with “New pipeline”, or import an export of another project’s."
              : "A member of the project can create one."}
          </EmptyState>
        )
      ) : (
        <>
          <PipelinesTable project={project} pipelines={pipelines} canEdit={canEdit} />
          <div className="load-more">
            {lastPage?.isError ? <p className="inline-error">{errorMessage(lastPage.error)}</p> : null}
            {lastPage?.isFetching && cursors.length > 1 && !lastPage.data ? (
              <LoadingState label="Loading more pipelines…" />
            ) : nextCursor !== null ? (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => setPaging({ filterKey, cursors: [...cursors, nextCursor] })}
              >
                Load more
              </button>
            ) : (
              <p className="muted">
                {pipelines.length} pipeline{pipelines.length === 1 ? "" : "s"}
              </p>
            )}
          </div>
        </>
      )}
      <Dialog title="Import a pipeline" isOpen={isImporting} onClose={() => setIsImporting(false)} isWide>
        <ImportForm project={project} onDone={() => setIsImporting(false)} />
      </Dialog>
    </section>
  );
}

function PipelinesTable({ project, pipelines, canEdit }: { project: AccountProject; pipelines: Pipeline[]; canEdit: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  // The pipeline stays chosen after the dialog closes, so the dialog can hand focus back to its button.
  const [running, setRunning] = useState<Pipeline | null>(null);
  const [isRunOpen, setIsRunOpen] = useState(false);
  const [exportingId, setExportingId] = useState<string | null>(null);
  const refreshList = () => queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
  const duplicate = useMutation(
    trpc.pipelines.duplicate.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async (copy) => {
        toast.success(`Duplicated as “${copy.name}”`);
        await refreshList();
        router.push(`/pipelines/${copy.id}`);
      },
      onError: (error) => setFailure(`Could not duplicate the pipeline: ${errorMessage(error)}`),
    }),
  );
  const archive = useMutation(
    trpc.pipelines.archive.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async (pipeline) => {
        toast.success(`Archived “${pipeline.name}”`);
        await refreshList();
      },
      onError: (error) => setFailure(`Could not archive the pipeline: ${errorMessage(error)}`),
    }),
  );
  const restore = useMutation(
    trpc.pipelines.restore.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async (pipeline) => {
        toast.success(`Restored “${pipeline.name}”`);
        await refreshList();
      },
      onError: (error) => setFailure(`Could not restore the pipeline: ${errorMessage(error)}`),
    }),
  );

  async function exportPipeline(pipeline: Pipeline) {
    setFailure(null);
    setExportingId(pipeline.id);
    try {
      const document = await client.pipelines.export.query({ projectId: project.id, pipelineId: pipeline.id });
      downloadJson(exportFileName(pipeline.name), document);
      toast.success(`Exported “${pipeline.name}” (version ${pipeline.currentVersion})`);
    } catch (error) {
      setFailure(`Could not export the pipeline: ${errorMessage(error as Parameters<typeof errorMessage>[0])}`);
    } finally {
      setExportingId(null);
    }
  }

  return (
    <>
      <InlineError message={failure} />
      <div className="table-wrap">
        <table className="table" aria-label="Pipelines">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pipelines.map((pipeline) => {
              const isArchived = pipeline.archivedAt !== null;
              return (
                <tr key={pipeline.id}>
                  <th scope="row" className={`cell-wrap ${styles.nameCell}`}>
                    <Link href={`/pipelines/${pipeline.id}`}>{pipeline.name}</Link>
                    {isArchived ? <span className="badge badge-quiet">Archived</span> : null}
                    {pipeline.description ? <span className={styles.rowDescription}>{pipeline.description}</span> : null}
                  </th>
                  <td className="nowrap">v{pipeline.currentVersion}</td>
                  <td className="nowrap">{formatDateTime(pipeline.updatedAt)}</td>
                  <td className="cell-actions">
                    <Link
                      href={`/pipelines/${pipeline.id}`}
                      className="button button-secondary button-small"
                      aria-label={`Open ${pipeline.name}`}
                    >
                      Open
                    </Link>
                    <Link
                      href={`/runs?pipelineId=${pipeline.id}`}
                      className="button button-ghost button-small"
                      aria-label={`Runs of ${pipeline.name}`}
                    >
                      Runs
                    </Link>
                    {canEdit && !isArchived ? (
                      <button
                        type="button"
                        className="button button-ghost button-small"
                        aria-label={`Run ${pipeline.name}`}
                        onClick={() => {
                          setRunning(pipeline);
                          setIsRunOpen(true);
                        }}
                      >
                        Run
                      </button>
                    ) : null}
                    <button
                      type="button"
                      className="button button-ghost button-small"
                      aria-label={`Export ${pipeline.name}`}
                      disabled={exportingId === pipeline.id}
                      onClick={() => void exportPipeline(pipeline)}
                    >
                      {exportingId === pipeline.id ? "Exporting…" : "Export"}
                    </button>
                    {canEdit && !isArchived ? (
                      <>
                        <button
                          type="button"
                          className="button button-ghost button-small"
                          aria-label={`Duplicate ${pipeline.name}`}
                          disabled={duplicate.isPending}
                          onClick={() => duplicate.mutate({ projectId: project.id, pipelineId: pipeline.id })}
                        >
                          {duplicate.isPending && duplicate.variables?.pipelineId === pipeline.id ? "Duplicating…" : "Duplicate"}
                        </button>
                        <ConfirmButton
                          label="Archive"
                          accessibleLabel={`Archive ${pipeline.name}`}
                          prompt={`Archive “${pipeline.name}”? It cannot be run until restored; past runs stay.`}
                          confirmLabel="Archive pipeline"
                          isPending={archive.isPending && archive.variables?.pipelineId === pipeline.id}
                          onConfirm={() => archive.mutate({ projectId: project.id, pipelineId: pipeline.id })}
                        />
                      </>
                    ) : null}
                    {canEdit && isArchived ? (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`Restore ${pipeline.name}`}
                        disabled={restore.isPending && restore.variables?.pipelineId === pipeline.id}
                        onClick={() => restore.mutate({ projectId: project.id, pipelineId: pipeline.id })}
                      >
                        Restore
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {running ? (
        <RunDialog
          projectId={project.id}
          pipelineId={running.id}
          pipelineName={running.name}
          isOpen={isRunOpen}
          onClose={() => setIsRunOpen(false)}
        />
      ) : null}
    </>
  );
}

function ImportForm({ project, onDone }: { project: AccountProject; onDone: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const textId = useId();
  const fileId = useId();
  const nameId = useId();
  const [text, setText] = useState("");
  const [name, setName] = useState("");
  const [parseError, setParseError] = useState<string | null>(null);
  const importPipeline = useMutation(
    trpc.pipelines.import.mutationOptions({
      onSuccess: async (pipeline) => {
        toast.success(`Imported “${pipeline.name}”`);
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        onDone();
        router.push(`/pipelines/${pipeline.id}`);
      },
    }),
  );
  const problems = problemsOfError(importPipeline.error);

  async function readFile(file: File | undefined) {
    if (!file) return;
    setText(await file.text());
    setParseError(null);
  }

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      setParseError("This is not valid JSON");
      return;
    }
    setParseError(null);
    importPipeline.mutate({ projectId: project.id, document, ...(name.trim() ? { name: name.trim() } : {}) });
  }

  return (
    <form onSubmit={handleSubmit} noValidate aria-label="Import a pipeline">
      <p className="muted">Paste the JSON of an export (“Export” on a pipeline), or choose the file.</p>
      <div className="field">
        <label htmlFor={fileId}>Export file</label>
        <input id={fileId} type="file" accept="application/json,.json" onChange={(event) => void readFile(event.target.files?.[0])} />
      </div>
      <div className="field">
        <label htmlFor={textId}>Export JSON</label>
        <textarea
          id={textId}
          className={`${styles.textarea} mono`}
          rows={10}
          value={text}
          aria-invalid={parseError ? true : undefined}
          aria-describedby={parseError ? `${textId}-error` : undefined}
          onChange={(event) => setText(event.target.value)}
        />
        {parseError ? (
          <p id={`${textId}-error`} className="field-error">
            {parseError}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={nameId}>Name (optional)</label>
        <input id={nameId} value={name} maxLength={100} placeholder="The export’s name" onChange={(event) => setName(event.target.value)} />
        <p className="field-hint">Give another name when the project already has a pipeline with the export’s name.</p>
      </div>
      {problems.length > 0 ? <ProblemsList problems={problems} title="The export’s definition has problems" /> : null}
      <InlineError message={importPipeline.error && problems.length === 0 ? errorMessage(importPipeline.error) : null} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={importPipeline.isPending || text.trim() === ""}>
          {importPipeline.isPending ? "Importing…" : "Import"}
        </button>
        <button type="button" className="button button-ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
