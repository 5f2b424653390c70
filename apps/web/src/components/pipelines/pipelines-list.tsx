"use client";
/**
 * /pipelines: the project's pipelines with server-side search, archived ones on request, paged with
 * "Load more"; per row open, run (with its inputs), duplicate, export as JSON, archive and restore;
 * and import of an export, pasted or uploaded.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, InlineError } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { ListToolbar, PagedTable, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { errorMessage } from "~/trpc/errors";
import { pipelinesPageInput } from "~/trpc/page-queries";
import { useTRPC, useTRPCClient } from "~/trpc/react";
import { Dialog } from "./dialog";
import styles from "./pipelines.module.css";
import { ProblemsList, problemsOfError } from "./problems";
import { RunDialog } from "./run-dialog";
import { downloadJson, exportFileName, type Pipeline } from "./shared";
import { toast } from "./toasts";
import { useLivePipelines } from "./use-live-pipelines";

export function PipelinesList() {
  return <ProjectScope>{(project) => <ProjectPipelines project={project} />}</ProjectScope>;
}

function ProjectPipelines({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  useLivePipelines(project.id);
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  const [includeArchived, setIncludeArchived] = useState(false);
  const [isImporting, setIsImporting] = useState(false);
  const list = usePagedList<Pipeline>(
    `${includeArchived}:${search}`,
    (cursor) => trpc.pipelines.list.queryOptions(pipelinesPageInput(project.id, { search, includeArchived }, cursor)),
    (pipeline) => pipeline.id,
  );
  const canEdit = hasRole(project.role, "member");
  const actions = usePipelineActions(project);

  return (
    <section className="section" aria-labelledby="pipelines-heading">
      <div className="section-header">
        <h2 id="pipelines-heading">Pipelines of {project.name}</h2>
        {canEdit ? (
          <div className="toolbar">
            <Button onClick={() => setIsImporting(true)}>Import</Button>
            <Button asChild variant="primary">
              <Link href="/pipelines/new">New pipeline</Link>
            </Button>
          </div>
        ) : null}
      </div>
      <ListToolbar searchLabel="Search pipelines" placeholder="Search by name" value={searchText} onChange={setSearchText}>
        <label className={styles.checkbox}>
          <input type="checkbox" checked={includeArchived} onChange={(event) => setIncludeArchived(event.target.checked)} />
          Show archived
        </label>
      </ListToolbar>
      <PagedTable
        list={list}
        label="Pipelines"
        noun={{ one: "pipeline", other: "pipelines" }}
        columns={[{ header: "Name" }, { header: "Version" }, { header: "Updated" }, { header: "Actions", isHeaderHidden: true }]}
        rowKey={(pipeline) => pipeline.id}
        isFiltered={search !== "" || includeArchived}
        filterSummary={search ? `matching “${search}”` : "including archived"}
        emptyFiltered={
          <EmptyState title="No pipelines match">Try other words{includeArchived ? "" : ", or show archived pipelines"}.</EmptyState>
        }
        empty={
          <EmptyState title="No pipelines yet">
            {canEdit
              ? "Create one with “New pipeline”, or import an export of another project’s."
              : "A member of the project can create one."}
          </EmptyState>
        }
        renderRow={(pipeline) => <PipelineCells project={project} pipeline={pipeline} canEdit={canEdit} actions={actions} />}
      />
      {actions.running ? (
        <RunDialog
          projectId={project.id}
          pipelineId={actions.running.id}
          pipelineName={actions.running.name}
          isOpen={actions.isRunOpen}
          onClose={() => actions.setIsRunOpen(false)}
        />
      ) : null}
      <Dialog title="Import a pipeline" isOpen={isImporting} onClose={() => setIsImporting(false)} isWide>
        <ImportForm project={project} onDone={() => setIsImporting(false)} />
      </Dialog>
    </section>
  );
}

/** Archive, restore and duplicate change a pipeline's list entries (and its own query), so they refresh exactly those. */
function usePipelineActions(project: AccountProject) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  // The pipeline stays chosen after the dialog closes, so the dialog can hand focus back to its button.
  const [running, setRunning] = useState<Pipeline | null>(null);
  const [isRunOpen, setIsRunOpen] = useState(false);
  const [exportingId, setExportingId] = useState<string | null>(null);
  const refreshLists = () => queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
  const refreshPipeline = (pipelineId: string) =>
    Promise.all([
      refreshLists(),
      queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ projectId: project.id, pipelineId }) }),
    ]);
  const duplicate = useMutation(
    trpc.pipelines.duplicate.mutationOptions({
      onSuccess: async (copy) => {
        toast.success(`Duplicated as “${copy.name}”`);
        await refreshLists();
        router.push(`/pipelines/${copy.id}`);
      },
      onError: (error) => toast.error(`Could not duplicate the pipeline: ${errorMessage(error)}`),
    }),
  );
  const archive = useMutation(
    trpc.pipelines.archive.mutationOptions({
      onSuccess: async (pipeline) => {
        toast.success(`Archived “${pipeline.name}”`);
        await refreshPipeline(pipeline.id);
      },
      onError: (error) => toast.error(`Could not archive the pipeline: ${errorMessage(error)}`),
    }),
  );
  const restore = useMutation(
    trpc.pipelines.restore.mutationOptions({
      onSuccess: async (pipeline) => {
        toast.success(`Restored “${pipeline.name}”`);
        await refreshPipeline(pipeline.id);
      },
      onError: (error) => toast.error(`Could not restore the pipeline: ${errorMessage(error)}`),
    }),
  );

  async function exportPipeline(pipeline: Pipeline) {
    setExportingId(pipeline.id);
    try {
      const document = await client.pipelines.export.query({ projectId: project.id, pipelineId: pipeline.id });
      downloadJson(exportFileName(pipeline.name), document);
      toast.success(`Exported “${pipeline.name}” (version ${pipeline.currentVersion})`);
    } catch (error) {
      toast.error(`Could not export the pipeline: ${errorMessage(error as Parameters<typeof errorMessage>[0])}`);
    } finally {
      setExportingId(null);
    }
  }

  const openRun = (pipeline: Pipeline) => {
    setRunning(pipeline);
    setIsRunOpen(true);
  };
  return { duplicate, archive, restore, exportPipeline, exportingId, running, isRunOpen, setIsRunOpen, openRun };
}

function PipelineCells({
  project,
  pipeline,
  canEdit,
  actions: { duplicate, archive, restore, exportPipeline, exportingId, openRun },
}: {
  project: AccountProject;
  pipeline: Pipeline;
  canEdit: boolean;
  actions: ReturnType<typeof usePipelineActions>;
}) {
  const isArchived = pipeline.archivedAt !== null;
  return (
    <>
      <th scope="row" className={`cell-wrap ${styles.nameCell}`}>
        <Link href={`/pipelines/${pipeline.id}`}>{pipeline.name}</Link>
        {isArchived ? <Badge tone="quiet">Archived</Badge> : null}
        {pipeline.description ? <span className={styles.rowDescription}>{pipeline.description}</span> : null}
      </th>
      <td className="nowrap">v{pipeline.currentVersion}</td>
      <td className="nowrap">{formatDateTime(pipeline.updatedAt)}</td>
      <td className="cell-actions">
        <Button asChild size="small">
          <Link href={`/pipelines/${pipeline.id}`} aria-label={`Open ${pipeline.name}`}>
            Open
          </Link>
        </Button>
        <Button asChild variant="ghost" size="small">
          <Link href={`/runs?pipelineId=${pipeline.id}`} aria-label={`Runs of ${pipeline.name}`}>
            Runs
          </Link>
        </Button>
        {canEdit && !isArchived ? (
          <Button variant="ghost" size="small" aria-label={`Run ${pipeline.name}`} onClick={() => openRun(pipeline)}>
            Run
          </Button>
        ) : null}
        <Button
          variant="ghost"
          size="small"
          aria-label={`Export ${pipeline.name}`}
          disabled={exportingId === pipeline.id}
          onClick={() => void exportPipeline(pipeline)}
        >
          {exportingId === pipeline.id ? "Exporting…" : "Export"}
        </Button>
        {canEdit && !isArchived ? (
          <>
            <Button
              variant="ghost"
              size="small"
              aria-label={`Duplicate ${pipeline.name}`}
              disabled={duplicate.isPending}
              onClick={() => duplicate.mutate({ projectId: project.id, pipelineId: pipeline.id })}
            >
              {duplicate.isPending && duplicate.variables?.pipelineId === pipeline.id ? "Duplicating…" : "Duplicate"}
            </Button>
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
          <Button
            size="small"
            aria-label={`Restore ${pipeline.name}`}
            disabled={restore.isPending && restore.variables?.pipelineId === pipeline.id}
            onClick={() => restore.mutate({ projectId: project.id, pipelineId: pipeline.id })}
          >
            Restore
          </Button>
        ) : null}
      </td>
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
