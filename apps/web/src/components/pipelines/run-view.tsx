"use client";
/**
 * /runs/[runId]: one run. Its header (status, version, times, tokens and cost, error, inputs and
 * outputs), its DAG with each node coloured by status as events arrive, and an inspector for the
 * selected node (input, output, error, attempts, timings, tokens, cost, state) with what can be done
 * there: approve or reject a waiting approval, rerun from the node (optionally with other inputs).
 * A running run can be cancelled.
 */
import type { PipelineInput } from "@gathering/core/browser";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Background, Controls, type NodeChange, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type ReactNode, useId, useMemo, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { ErrorState, LoadingState } from "~/components/feedback";
import { formatDateTime, formatNumber, hasRole } from "~/components/format";
import { useClock } from "~/components/use-clock";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { Dialog } from "./dialog";
import { FitOnResize, fitViewOptions } from "./fit-on-resize";
import { flowNodeTypes } from "./flow-node";
import { TextAreaField } from "./form-fields";
import { flowOfDefinition, type PipelineFlowNode, sourceHandlesOf } from "./graph";
import styles from "./pipelines.module.css";
import { RunInputsForm } from "./run-inputs-form";
import { RunStatusBadge } from "./run-status-badge";
import {
  durationBetween,
  formatDuration,
  formatUsd,
  type NodeRun,
  nodeStatusLabels,
  nodeTypeLabels,
  type RunDetail,
  shortId,
  toJsonText,
} from "./shared";
import { toast } from "./toasts";
import { useLivePipelines } from "./use-live-pipelines";

export function RunView({ runId }: { runId: string }) {
  return <ProjectScope>{(project) => <RunPage project={project} runId={runId} />}</ProjectScope>;
}

function RunPage({ project, runId }: { project: AccountProject; runId: string }) {
  const trpc = useTRPC();
  useLivePipelines(project.id);
  const run = useQuery(trpc.pipelines.getRun.queryOptions({ projectId: project.id, runId }));
  const pipeline = useQuery({
    ...trpc.pipelines.get.queryOptions({ projectId: project.id, pipelineId: run.data?.pipelineId ?? "" }),
    enabled: run.isSuccess,
  });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // A clock for the durations of what is still running; no requests.
  const now = useClock(1_000, run.data?.status === "running");

  if (run.isPending) return <LoadingState label="Loading the run…" />;
  // A failed refetch keeps showing what was loaded; only a run never loaded is an error page.
  const data = run.data;
  if (!data) {
    return (
      <>
        <BackLink />
        <ErrorState error={run.error as NonNullable<typeof run.error>} title="Could not load the run" onRetry={() => run.refetch()} />
      </>
    );
  }
  const canAct = hasRole(project.role, "member");
  const waiting = data.nodes.filter((node) => node.type === "approval" && node.status === "waiting");
  const selectedNode = data.nodes.find((node) => node.nodeId === selectedId);
  const pipelineName = pipeline.data?.name ?? "its pipeline";

  return (
    <>
      <header className="page-header">
        <div className="section-header">
          <div className={styles.titleRow}>
            <h1>Run {shortId(data.id)}</h1>
            <RunStatusBadge status={data.status} />
          </div>
          <div className="toolbar">
            <BackLink />
            {data.status === "running" && canAct ? <CancelRun project={project} run={data} /> : null}
          </div>
        </div>
        <p className="muted">
          Of{" "}
          {pipeline.data ? (
            <Link href={`/pipelines/${data.pipelineId}?version=${data.version}`}>
              {pipelineName} v{data.version}
            </Link>
          ) : (
            `version ${data.version}`
          )}
          {data.origin.kind === "rerun" && data.origin.id ? (
            <>
              {" "}
              · rerun of <Link href={`/runs/${data.origin.id}`}>{shortId(data.origin.id)}</Link> from {data.origin.fromNodeId}
            </>
          ) : null}
          {data.parentRunId ? (
            <>
              {" "}
              · started by run <Link href={`/runs/${data.parentRunId}`}>{shortId(data.parentRunId)}</Link>
            </>
          ) : null}
        </p>
      </header>

      <section className="section panel" aria-label="Run summary">
        <dl className={styles.facts}>
          <div>
            <dt>Status</dt>
            <dd data-testid="run-status">{data.status}</dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>{data.version}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(data.startedAt ?? data.createdAt)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{formatDateTime(data.finishedAt, data.status === "running" ? "Still running" : "—")}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{formatDuration(durationBetween(data.startedAt ?? data.createdAt, data.finishedAt, now))}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>
              {formatNumber(data.inputTokens)} in / {formatNumber(data.outputTokens)} out
            </dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd>{formatUsd(data.costMicros)}</dd>
          </div>
        </dl>
        {data.error ? (
          <div className={`callout ${styles.errorCallout}`}>
            <p className="callout-title">Error</p>
            <p className={styles.preWrap}>{data.error}</p>
          </div>
        ) : null}
        <div className={styles.ioGrid}>
          <JsonBlock title="Inputs" value={data.inputs} />
          <JsonBlock title="Output" value={data.output} emptyText={data.status === "running" ? "Not finished yet" : "No output"} />
        </div>
      </section>

      {waiting.length > 0 ? (
        <div className="callout callout-warning">
          <p className="callout-title">Waiting for a decision</p>
          {waiting.map((node) => (
            <p key={node.nodeId}>
              <span className="mono">{node.nodeId}</span> waits for approval.{" "}
              <button type="button" className="button button-secondary button-small" onClick={() => setSelectedId(node.nodeId)}>
                Review {node.nodeId}
              </button>
            </p>
          ))}
        </div>
      ) : null}

      {data.definition ? (
        <div className={styles.editorLayout}>
          <ReactFlowProvider>
            <RunGraph run={data} selectedId={selectedId} onSelect={setSelectedId} />
          </ReactFlowProvider>
          <aside className={styles.sidePanel} aria-label="Node inspector">
            {selectedNode ? (
              <NodeInspector
                key={selectedNode.nodeId}
                project={project}
                run={data}
                node={selectedNode}
                inputs={(data.definition.inputs ?? []) as PipelineInput[]}
                canAct={canAct}
                now={now}
              />
            ) : (
              <div className={styles.panelSection}>
                <h3>Inspector</h3>
                <p className="muted">Select a node to see its input, output, error, attempts and timings.</p>
                <NodeStatusLegend />
              </div>
            )}
          </aside>
        </div>
      ) : (
        <p className="callout callout-warning">The run’s pipeline version could not be loaded.</p>
      )}
    </>
  );
}

function BackLink() {
  return (
    <Link href="/runs" className="button button-ghost">
      All runs
    </Link>
  );
}

function NodeStatusLegend() {
  return (
    <ul className={styles.legend} aria-label="Status colours">
      {Object.entries(nodeStatusLabels).map(([status, label]) => (
        <li key={status}>
          <span className={`${styles.statusPill} ${styles[`status-${status}`] ?? ""}`}>{label}</span>
        </li>
      ))}
    </ul>
  );
}

function JsonBlock({ title, value, emptyText = "—" }: { title: string; value: unknown; emptyText?: string }) {
  const isEmpty = value === null || value === undefined || (typeof value === "object" && Object.keys(value as object).length === 0);
  return (
    <div className={styles.jsonBlock}>
      <h3>{title}</h3>
      {isEmpty ? (
        <p className="muted">{emptyText}</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable by keyboard to be scrolled.
        <pre tabIndex={0}>{toJsonText(value)}</pre>
      )}
    </div>
  );
}

function RunGraph({ run, selectedId, onSelect }: { run: RunDetail; selectedId: string | null; onSelect: (id: string | null) => void }) {
  const base = useMemo(() => flowOfDefinition(run.definition ?? { nodes: [], edges: [] }), [run.definition]);
  // The nodes are rebuilt on every status change; React Flow's measurements must be carried over, or it
  // forgets them (and fits the view, and draws edges, as if the nodes had no size).
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const byId = new Map(run.nodes.map((node) => [node.nodeId, node]));
  const nodes: PipelineFlowNode[] = base.nodes.map((node) => {
    const nodeRun = byId.get(node.id);
    const status = nodeRun?.status ?? "pending";
    return {
      ...node,
      draggable: false,
      connectable: false,
      selected: node.id === selectedId,
      ...(measured[node.id] ? { measured: measured[node.id] } : {}),
      ariaLabel: `${nodeTypeLabels[node.data.node.type]} node ${node.id}, ${nodeStatusLabels[status]}`,
      data: { ...node.data, status, attempts: nodeRun?.attempts ?? 0, sourceHandles: sourceHandlesOf(node.data.node, base.edges) },
    };
  });
  const edges = base.edges.map((edge) => {
    const source = byId.get(edge.source);
    const isTaken = source?.status === "succeeded" && (edge.data?.when === undefined || edge.data.when === source.branch);
    return {
      ...edge,
      animated: isTaken && byId.get(edge.target)?.status === "running",
      className: `${edge.className ?? ""} ${isTaken ? "edge-taken" : ""}`,
    };
  });

  function onNodesChange(changes: NodeChange<PipelineFlowNode>[]) {
    for (const change of changes) {
      if (change.type === "select" && change.selected) onSelect(change.id);
      if (change.type === "dimensions" && change.dimensions) {
        const dimensions = change.dimensions;
        setMeasured((current) => ({ ...current, [change.id]: dimensions }));
      }
    }
  }

  return (
    <div className={styles.canvas} data-testid="run-canvas">
      <ReactFlow<PipelineFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={flowNodeTypes}
        onNodesChange={onNodesChange}
        onPaneClick={() => onSelect(null)}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        colorMode="dark"
        fitView
        fitViewOptions={fitViewOptions}
        minZoom={0.2}
      >
        <Background gap={20} />
        <FitOnResize nodesKey={base.nodes.map((node) => node.id).join(",")} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function NodeInspector({
  project,
  run,
  node,
  inputs,
  canAct,
  now,
}: {
  project: AccountProject;
  run: RunDetail;
  node: NodeRun;
  inputs: PipelineInput[];
  canAct: boolean;
  now: number | null;
}) {
  const isWaitingApproval = node.type === "approval" && node.status === "waiting" && run.status === "running";
  const state = node.state as { message?: unknown; decision?: unknown };
  return (
    <section className={styles.panelSection} aria-label={`Node ${node.nodeId}`}>
      <div className={styles.panelTitle}>
        <div>
          <span className={styles.flowNodeType}>{nodeTypeLabels[node.type as keyof typeof nodeTypeLabels] ?? node.type}</span>
          <h3 className="mono">{node.nodeId}</h3>
        </div>
        <span className={`${styles.statusPill} ${styles[`status-${node.status}`] ?? ""}`} data-testid="inspector-status">
          {nodeStatusLabels[node.status]}
        </span>
      </div>
      {isWaitingApproval ? (
        <ApprovalForm project={project} run={run} node={node} message={typeof state.message === "string" ? state.message : null} />
      ) : null}
      <dl className={styles.inspectorFacts}>
        <Fact label="Attempts">{node.attempts}</Fact>
        <Fact label="Started">{formatDateTime(node.startedAt)}</Fact>
        <Fact label="Finished">{formatDateTime(node.finishedAt)}</Fact>
        <Fact label="Duration">{formatDuration(node.durationMs ?? durationBetween(node.startedAt, node.finishedAt, now))}</Fact>
        <Fact label="Tokens">
          {formatNumber(node.inputTokens)} in / {formatNumber(node.outputTokens)} out
        </Fact>
        <Fact label="Cost">{formatUsd(node.costMicros)}</Fact>
        {node.branch ? <Fact label="Branch">{node.branch}</Fact> : null}
        {node.reusedFromRunId ? (
          <Fact label="Reused from">
            <Link href={`/runs/${node.reusedFromRunId}`}>run {shortId(node.reusedFromRunId)}</Link>
          </Fact>
        ) : null}
      </dl>
      {node.error ? (
        <div className={`callout ${styles.errorCallout}`}>
          <p className="callout-title">Error</p>
          <p className={styles.preWrap}>{node.error}</p>
        </div>
      ) : null}
      <JsonBlock title="Input" value={node.input} />
      <JsonBlock title="Output" value={node.output} />
      <JsonBlock title="State" value={node.state} />
      {canAct && run.status !== "running" ? <RerunFrom project={project} run={run} nodeId={node.nodeId} inputs={inputs} /> : null}
    </section>
  );
}

function ApprovalForm({ project, run, node, message }: { project: AccountProject; run: RunDetail; node: NodeRun; message: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState("");
  const decide = useMutation(
    trpc.pipelines.decideApproval.mutationOptions({
      onSuccess: async (_, variables) => {
        toast.success(`${variables.isApproved ? "Approved" : "Rejected"} ${node.nodeId}`);
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.getRun.queryKey({ projectId: project.id, runId: run.id }) });
      },
      onError: (error) => toast.error(`Could not record the decision: ${errorMessage(error)}`),
    }),
  );
  return (
    <fieldset className={styles.approval}>
      <legend className="callout-title">Waiting for your decision on {node.nodeId}</legend>
      {message ? <p className={styles.preWrap}>{message}</p> : null}
      <TextAreaField label="Comment (optional)" value={comment} maxLength={2_000} rows={2} onChange={setComment} />
      <div className="button-row">
        <button
          type="button"
          className="button button-primary"
          disabled={decide.isPending}
          onClick={() =>
            decide.mutate({ projectId: project.id, runId: run.id, nodeId: node.nodeId, isApproved: true, ...(comment ? { comment } : {}) })
          }
        >
          Approve
        </button>
        <button
          type="button"
          className="button button-danger-quiet"
          disabled={decide.isPending}
          onClick={() =>
            decide.mutate({ projectId: project.id, runId: run.id, nodeId: node.nodeId, isApproved: false, ...(comment ? { comment } : {}) })
          }
        >
          Reject
        </button>
      </div>
    </fieldset>
  );
}

function RerunFrom({ project, run, nodeId, inputs }: { project: AccountProject; run: RunDetail; nodeId: string; inputs: PipelineInput[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const checkboxId = useId();
  const [isOpen, setIsOpen] = useState(false);
  const [isChangingInputs, setIsChangingInputs] = useState(false);
  const rerun = useMutation(
    trpc.pipelines.rerunFrom.mutationOptions({
      onSuccess: async (started) => {
        toast.success(`Rerun ${shortId(started.id)} started from ${nodeId}`);
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.listRuns.queryKey() });
        setIsOpen(false);
        router.push(`/runs/${started.id}`);
      },
      onError: (error) => toast.error(`Could not rerun: ${errorMessage(error)}`),
    }),
  );
  const start = (inputOverrides?: Record<string, unknown>) =>
    rerun.mutate({ projectId: project.id, runId: run.id, nodeId, ...(inputOverrides ? { inputOverrides } : {}) });
  return (
    <>
      <button type="button" className="button button-secondary" onClick={() => setIsOpen(true)}>
        Rerun from this node
      </button>
      <Dialog title={`Rerun from ${nodeId}`} isOpen={isOpen} onClose={() => setIsOpen(false)}>
        <p className="muted">
          A new run of version {run.version}: the nodes before {nodeId} keep their outputs from this run; {nodeId} and everything after it
          run again.
        </p>
        <label className={styles.checkbox} htmlFor={checkboxId}>
          <input
            id={checkboxId}
            type="checkbox"
            checked={isChangingInputs}
            onChange={(event) => setIsChangingInputs(event.target.checked)}
          />
          Change inputs
        </label>
        {isChangingInputs ? (
          <RunInputsForm
            inputs={inputs}
            initialValues={run.inputs}
            submitLabel="Start rerun"
            pendingLabel="Starting…"
            isPending={rerun.isPending}
            error={rerun.error ? errorMessage(rerun.error) : null}
            onSubmit={(values) => start(values)}
            onCancel={() => setIsOpen(false)}
          />
        ) : (
          <div className="button-row">
            <button type="button" className="button button-primary" disabled={rerun.isPending} onClick={() => start()}>
              {rerun.isPending ? "Starting…" : "Start rerun"}
            </button>
            <button type="button" className="button button-ghost" onClick={() => setIsOpen(false)}>
              Cancel
            </button>
          </div>
        )}
      </Dialog>
    </>
  );
}

function CancelRun({ project, run }: { project: AccountProject; run: RunDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.pipelines.cancelRun.mutationOptions({
      onSuccess: async () => {
        toast.success(`Cancelling run ${shortId(run.id)}`);
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.getRun.queryKey({ projectId: project.id, runId: run.id }) });
      },
      onError: (error) => toast.error(`Could not cancel the run: ${errorMessage(error)}`),
    }),
  );
  return (
    <ConfirmButton
      label="Cancel run"
      prompt="Cancel this run? Nodes not started never start; a running one is stopped."
      confirmLabel="Cancel the run"
      isPending={cancel.isPending}
      onConfirm={() => cancel.mutate({ projectId: project.id, runId: run.id })}
    />
  );
}
