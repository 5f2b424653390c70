"use client";
/**
 * /pipelines/new and /pipelines/[pipelineId]: the visual editor. A palette adds nodes of every type;
 * nodes are connected by dragging from a handle (or from the side panel), edited in a form that follows
 * their type's schema, and checked by the same validator the API uses on every change, with the
 * problems on the nodes, at their fields and in a list. The server's own problems (agents or pipelines
 * that are not in the project) are shown the same way. Each save is a new version, sent with the
 * version the edit started from so a save made meanwhile is a conflict, not a silent overwrite. Older
 * versions open read-only.
 */
import { checkPipelineDefinition, type DefinitionProblem, type PipelineNodeType, pipelineNodeTypes } from "@gathering/core/browser";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type EdgeChange,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { ErrorState, LoadingState } from "~/components/feedback";
import { TextField } from "~/components/field";
import { formatDateTime, hasRole } from "~/components/format";
import { appCodeOf, errorMessage, fieldErrorsOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { FitOnResize, fitViewOptions } from "./fit-on-resize";
import { flowNodeTypes } from "./flow-node";
import {
  type DraftNode,
  definitionOfFlow,
  type EdgeWhen,
  edgeId,
  flowEdge,
  flowOfDefinition,
  LAYER_GAP,
  NODE_HEIGHT,
  NODE_WIDTH,
  type PipelineFlowEdge,
  type PipelineFlowNode,
  sourceHandlesOf,
  whenOfHandle,
} from "./graph";
import { type DraftInput, draftInputsOf, inputsOfDrafts } from "./inputs";
import { InputsEditor } from "./inputs-editor";
import { NodePanel, type PickerOptions } from "./node-panel";
import styles from "./pipelines.module.css";
import { ProblemsList, problemsByNode, problemsOfError } from "./problems";
import { RunDialog } from "./run-dialog";
import { nodeTypeDescriptions, nodeTypeLabels, type PipelineDetail } from "./shared";
import { toast } from "./toasts";
import { useLivePipelines } from "./use-live-pipelines";

const PICKER_LIMIT = 100;

type Selection = { kind: "node"; id: string } | { kind: "edge"; id: string } | null;

interface EditorViewProps {
  pipelineId: string | null;
  /** Show this version read-only. */
  viewVersion?: number;
  /** Start editing from this (older) version's definition. */
  fromVersion?: number;
}

export function PipelineEditorView(props: EditorViewProps) {
  return <ProjectScope>{(project) => <EditorLoader project={project} {...props} />}</ProjectScope>;
}

function EditorLoader({ project, pipelineId, viewVersion, fromVersion }: EditorViewProps & { project: AccountProject }) {
  const trpc = useTRPC();
  useLivePipelines(project.id);
  const version = viewVersion ?? fromVersion;
  const pipeline = useQuery({
    ...trpc.pipelines.get.queryOptions({ projectId: project.id, pipelineId: pipelineId ?? "", ...(version ? { version } : {}) }),
    enabled: pipelineId !== null,
  });
  const agents = useQuery(trpc.agents.list.queryOptions({ projectId: project.id, limit: PICKER_LIMIT }));
  const tools = useQuery(trpc.tools.list.queryOptions({ projectId: project.id }));
  const pipelines = useQuery(trpc.pipelines.list.queryOptions({ projectId: project.id, limit: PICKER_LIMIT }));
  const pickers: PickerOptions = {
    agents: agents.data?.items ?? [],
    tools: tools.data ?? [],
    pipelines: pipelines.data?.items ?? [],
  };

  // The editor takes its starting point once, so it must not start from a cached copy that is being
  // refetched (a version saved meanwhile, or the save that just led here); once started, refetches only
  // update what it shows about newer versions, and never reset the edits.
  const editorKey = `${pipelineId ?? "new"}:${viewVersion ?? ""}:${fromVersion ?? ""}`;
  const isFresh = pipeline.data !== undefined && !(pipeline.isStale && pipeline.isFetching);
  const [startedKey, setStartedKey] = useState<string | null>(null);
  useEffect(() => {
    if (isFresh) setStartedKey(editorKey);
  }, [isFresh, editorKey]);
  const isStarted = startedKey === editorKey || isFresh;

  if (pipelineId !== null && (pipeline.isPending || (!isStarted && !pipeline.isError)))
    return <LoadingState label="Loading the pipeline…" />;
  if (pipelineId !== null && pipeline.isError && !pipeline.data) {
    return (
      <>
        <BackLink />
        <ErrorState error={pipeline.error} title="Could not load the pipeline" onRetry={() => pipeline.refetch()} />
      </>
    );
  }
  const loaded = pipeline.data ?? null;
  const isViewingOld = viewVersion !== undefined && loaded !== null && viewVersion !== loaded.currentVersion;
  const canEdit = hasRole(project.role, "member") && !loaded?.archivedAt;
  return (
    <ReactFlowProvider>
      <Editor
        // A new start (another pipeline, version or mode) is a new editor; live refetches are not.
        key={editorKey}
        project={project}
        loaded={loaded}
        fromVersion={fromVersion}
        isReadOnly={isViewingOld || !canEdit}
        isViewingOld={isViewingOld}
        pickers={pickers}
      />
    </ReactFlowProvider>
  );
}

function BackLink() {
  return (
    <Link href="/pipelines" className="button button-ghost">
      All pipelines
    </Link>
  );
}

function defaultConfig(type: PipelineNodeType, pickers: PickerOptions): Record<string, unknown> {
  switch (type) {
    case "agent":
      return { agentId: pickers.agents[0]?.id ?? "", prompt: "" };
    case "tool":
      return { tool: "", arguments: {} };
    case "condition":
      return { expression: "" };
    case "transform":
      return { expression: "" };
    case "http":
      return { method: "GET", url: "", headers: {} };
    case "delay":
      return { ms: 1_000 };
    case "approval":
      return { message: "Approve to continue", onTimeout: "reject" };
    case "subpipeline":
      return { pipelineId: "", inputs: {} };
    case "map":
      return { items: "", pipelineId: "", itemInput: "item", inputs: {}, concurrency: 4, maxItems: 100 };
    default:
      return {};
  }
}

function sameProblem(a: DefinitionProblem, b: DefinitionProblem): boolean {
  return a.path === b.path && a.message === b.message && a.nodeId === b.nodeId;
}

interface EditorProps {
  project: AccountProject;
  loaded: PipelineDetail | null;
  fromVersion: number | undefined;
  isReadOnly: boolean;
  isViewingOld: boolean;
  pickers: PickerOptions;
}

function Editor({ project, loaded, fromVersion, isReadOnly, isViewingOld, pickers }: EditorProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const reactFlow = useReactFlow<PipelineFlowNode, PipelineFlowEdge>();
  const canvasRef = useRef<HTMLDivElement>(null);
  const problemsRef = useRef<HTMLDivElement>(null);
  // What was sent: edits made while a save is on its way are not saved by it.
  const savingSnapshot = useRef("");
  const descriptionId = useId();

  const [initial] = useState(() => {
    const flow = flowOfDefinition(loaded?.definition ?? { nodes: [], edges: [] });
    return {
      ...flow,
      inputs: draftInputsOf(loaded?.definition.inputs ?? []),
      timeoutMs: loaded?.definition.timeoutMs,
      name: loaded?.name ?? "",
      description: loaded?.description ?? "",
    };
  });
  const pipelineId = loaded?.id ?? null;
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description);
  const [nodes, setNodes] = useState<PipelineFlowNode[]>(initial.nodes);
  const [edges, setEdges] = useState<PipelineFlowEdge[]>(initial.edges);
  const [inputs, setInputs] = useState<DraftInput[]>(initial.inputs);
  const [timeoutMs, setTimeoutMs] = useState<number | undefined>(initial.timeoutMs);
  const [selection, setSelection] = useState<Selection>(null);
  const [expectedVersion, setExpectedVersion] = useState<number | null>(loaded?.currentVersion ?? null);
  const [serverProblems, setServerProblems] = useState<DefinitionProblem[]>([]);
  const [conflictVersion, setConflictVersion] = useState<number | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();
  const [isRunOpen, setIsRunOpen] = useState(false);

  const inputsResult = inputsOfDrafts(inputs);
  const definition = definitionOfFlow(nodes, edges, {
    inputs: inputsResult.inputs,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  const definitionJson = JSON.stringify(definition);
  // The validator is pure and fast; it runs on each edit (a 2,000-node definition is the upper bound).
  const check = useMemo(() => checkPipelineDefinition(JSON.parse(definitionJson)), [definitionJson]);
  const clientProblems = [...(check.ok ? [] : check.problems), ...inputsResult.problems];
  // The server's problems stay until the next save, except those of nodes deleted since.
  const problems = [
    ...clientProblems,
    ...serverProblems.filter(
      (problem) =>
        !clientProblems.some((known) => sameProblem(known, problem)) &&
        (!problem.nodeId || nodes.some((node) => node.id === problem.nodeId)),
    ),
  ];
  const byNode = problemsByNode(problems);
  const snapshot = JSON.stringify({ name: name.trim(), description, definition });
  const [savedSnapshot, setSavedSnapshot] = useState(() => (loaded && !fromVersion ? snapshot : ""));
  const isDirty = !isReadOnly && snapshot !== savedSnapshot;
  const latestVersion = loaded?.currentVersion ?? null;
  const isBehind = !isReadOnly && expectedVersion !== null && latestVersion !== null && latestVersion > expectedVersion;

  useEffect(() => {
    if (!isDirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [isDirty]);

  const displayNodes = useMemo(
    () =>
      nodes.map((node) => {
        const count = byNode.get(node.id)?.length ?? 0;
        return {
          ...node,
          selected: selection?.kind === "node" && selection.id === node.id,
          ariaLabel: `${nodeTypeLabels[node.data.node.type]} node ${node.id}${count > 0 ? `, ${count} problem${count === 1 ? "" : "s"}` : ""}`,
          data: { ...node.data, problemCount: count, sourceHandles: sourceHandlesOf(node.data.node, edges) },
        };
      }),
    [nodes, edges, byNode, selection],
  );
  const displayEdges = useMemo(
    () => edges.map((edge) => ({ ...edge, selected: selection?.kind === "edge" && selection.id === edge.id })),
    [edges, selection],
  );

  function onNodesChange(changes: NodeChange<PipelineFlowNode>[]) {
    const applied: NodeChange<PipelineFlowNode>[] = [];
    for (const change of changes) {
      if (change.type === "select") {
        if (change.selected) setSelection({ kind: "node", id: change.id });
        else setSelection((current) => (current?.kind === "node" && current.id === change.id ? null : current));
      } else if (change.type === "remove") {
        if (isReadOnly) continue;
        applied.push(change);
        setSelection((current) => (current?.kind === "node" && current.id === change.id ? null : current));
      } else if (change.type !== "position" || !isReadOnly) {
        applied.push(change);
      }
    }
    if (applied.length > 0) setNodes((current) => applyNodeChanges(applied, current));
  }

  function onEdgesChange(changes: EdgeChange<PipelineFlowEdge>[]) {
    const applied: EdgeChange<PipelineFlowEdge>[] = [];
    for (const change of changes) {
      if (change.type === "select") {
        if (change.selected) setSelection({ kind: "edge", id: change.id });
        else setSelection((current) => (current?.kind === "edge" && current.id === change.id ? null : current));
      } else if (change.type === "remove") {
        if (!isReadOnly) applied.push(change);
      } else {
        applied.push(change);
      }
    }
    if (applied.length > 0) setEdges((current) => applyEdgeChanges(applied, current));
  }

  function connect(from: string, to: string, when: EdgeWhen | undefined) {
    if (from === to) return;
    if (edges.some((edge) => edge.id === edgeId(from, to))) {
      toast.info(`${from} is already connected to ${to}`);
      return;
    }
    setEdges((current) => [...current, flowEdge(from, to, when)]);
  }

  function onConnect(connection: Connection) {
    connect(connection.source, connection.target, whenOfHandle(connection.sourceHandle));
  }

  function addNode(type: PipelineNodeType) {
    const taken = new Set(nodes.map((node) => node.id));
    let number = 1;
    while (taken.has(`${type}_${number}`)) number += 1;
    const id = `${type}_${number}`;
    // Below the selected node (or the lowest one), so a chain grows downwards; the first in the middle.
    const anchor =
      (selection?.kind === "node" ? nodes.find((node) => node.id === selection.id) : undefined) ??
      nodes.reduce<PipelineFlowNode | undefined>(
        (lowest, node) => (!lowest || node.position.y > lowest.position.y ? node : lowest),
        undefined,
      );
    const rect = canvasRef.current?.getBoundingClientRect();
    const center = rect ? reactFlow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
    const position = anchor
      ? { x: anchor.position.x, y: anchor.position.y + LAYER_GAP }
      : { x: center.x - NODE_WIDTH / 2, y: center.y - NODE_HEIGHT / 2 };
    // A free spot: step right past nodes already there.
    const overlaps = (x: number, y: number) =>
      nodes.some((node) => Math.abs(node.position.x - x) < NODE_WIDTH + 20 && Math.abs(node.position.y - y) < NODE_HEIGHT + 20);
    while (overlaps(position.x, position.y)) position.x += NODE_WIDTH + 50;
    const draft: DraftNode = { id, type, config: defaultConfig(type, pickers) };
    const node: PipelineFlowNode = {
      id,
      type: "pipeline",
      position,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      data: { node: draft, sourceHandles: sourceHandlesOf(draft, []) },
    };
    setNodes((current) => [...current, node]);
    // FitOnResize brings it into view with its neighbours once it is drawn.
    setSelection({ kind: "node", id });
  }

  function updateNode(id: string, draft: DraftNode) {
    setNodes((current) => current.map((node) => (node.id === id ? { ...node, data: { ...node.data, node: draft } } : node)));
  }

  function renameNode(oldId: string, newId: string): string | null {
    if (nodes.some((node) => node.id === newId)) return `Another node has the id "${newId}"`;
    setNodes((current) =>
      current.map((node) =>
        node.id === oldId ? { ...node, id: newId, data: { ...node.data, node: { ...node.data.node, id: newId } } } : node,
      ),
    );
    setEdges((current) =>
      current.map((edge) => {
        if (edge.source !== oldId && edge.target !== oldId) return edge;
        const source = edge.source === oldId ? newId : edge.source;
        const target = edge.target === oldId ? newId : edge.target;
        return { ...edge, id: edgeId(source, target), source, target };
      }),
    );
    setSelection({ kind: "node", id: newId });
    return null;
  }

  function deleteNode(id: string) {
    setNodes((current) => current.filter((node) => node.id !== id));
    setEdges((current) => current.filter((edge) => edge.source !== id && edge.target !== id));
    setSelection(null);
  }

  function selectNode(id: string) {
    if (!nodes.some((node) => node.id === id)) return;
    setSelection({ kind: "node", id });
    void reactFlow.fitView({ nodes: [{ id }], duration: 250, maxZoom: 1.2 });
  }

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey() });
  };
  function handleFailure(error: Parameters<typeof problemsOfError>[0]) {
    const serverFound = problemsOfError(error);
    setServerProblems(serverFound);
    const code = appCodeOf(error);
    const details = (error?.data?.details ?? null) as { currentVersion?: unknown; field?: unknown } | null;
    if (code === "CONFLICT" && typeof details?.currentVersion === "number") {
      setConflictVersion(details.currentVersion);
      toast.error(`Not saved: version ${details.currentVersion} was saved meanwhile`);
      return;
    }
    const nameProblem = fieldErrorsOf(error).name ?? (details?.field === "name" ? errorMessage(error) : undefined);
    if (nameProblem) setNameError(nameProblem);
    if (serverFound.length > 0) {
      toast.error(`Not saved: the server found ${serverFound.length} problem${serverFound.length === 1 ? "" : "s"}`);
      problemsRef.current?.focus();
      return;
    }
    toast.error(`Not saved: ${errorMessage(error)}`);
  }
  const create = useMutation(
    trpc.pipelines.create.mutationOptions({
      onSuccess: async (created) => {
        setSavedSnapshot(savingSnapshot.current);
        toast.success(`Created “${created.name}” (version ${created.currentVersion})`);
        await refresh();
        router.replace(`/pipelines/${created.id}`);
      },
      onError: handleFailure,
    }),
  );
  const update = useMutation(
    trpc.pipelines.update.mutationOptions({
      onSuccess: async (saved) => {
        setSavedSnapshot(savingSnapshot.current);
        setExpectedVersion(saved.currentVersion);
        setConflictVersion(null);
        toast.success(`Saved as version ${saved.currentVersion}`);
        await refresh();
        if (fromVersion) router.replace(`/pipelines/${saved.id}`);
      },
      onError: handleFailure,
    }),
  );
  const isSaving = create.isPending || update.isPending;

  function save(overrideVersion?: number) {
    setNameError(undefined);
    if (name.trim() === "") {
      setNameError("Name the pipeline");
      return;
    }
    if (clientProblems.length > 0) {
      toast.error(`Fix the ${clientProblems.length} problem${clientProblems.length === 1 ? "" : "s"} first`);
      problemsRef.current?.focus();
      return;
    }
    setServerProblems([]);
    setConflictVersion(null);
    savingSnapshot.current = snapshot;
    const body = { projectId: project.id, name: name.trim(), description, definition };
    const baseVersion = overrideVersion ?? expectedVersion;
    if (pipelineId === null) create.mutate(body);
    else update.mutate({ ...body, pipelineId, ...(baseVersion !== null ? { expectedVersion: baseVersion } : {}) });
  }

  const selectedNode = selection?.kind === "node" ? nodes.find((node) => node.id === selection.id) : undefined;
  const selectedEdge = selection?.kind === "edge" ? edges.find((edge) => edge.id === selection.id) : undefined;
  const title = isViewingOld
    ? `${initial.name} · version ${loaded?.version}`
    : pipelineId === null
      ? "New pipeline"
      : name.trim() || initial.name;

  return (
    <>
      <header className="page-header">
        <div className="section-header">
          <div className={styles.titleRow}>
            <h1>{title}</h1>
            {loaded ? (
              <span className="badge badge-quiet" data-testid="pipeline-version">
                {isViewingOld
                  ? `Version ${loaded.version} of ${loaded.currentVersion}`
                  : `Version ${expectedVersion ?? loaded.currentVersion}`}
              </span>
            ) : (
              <span className="badge badge-quiet">Not saved yet</span>
            )}
            {isDirty && pipelineId !== null ? <span className="badge badge-warn">Unsaved changes</span> : null}
          </div>
          <div className="toolbar">
            <BackLink />
            {pipelineId !== null ? (
              <Link href={`/runs?pipelineId=${pipelineId}`} className="button button-ghost">
                Runs
              </Link>
            ) : null}
            {pipelineId !== null && !isViewingOld && !loaded?.archivedAt ? (
              <button type="button" className="button button-secondary" onClick={() => setIsRunOpen(true)}>
                Run
              </button>
            ) : null}
            {isReadOnly ? null : (
              <button type="button" className="button button-primary" disabled={isSaving} onClick={() => save()}>
                {isSaving ? "Saving…" : pipelineId === null ? "Create pipeline" : "Save version"}
              </button>
            )}
          </div>
        </div>
        {isDirty && pipelineId !== null ? (
          <p className="muted">Run starts the saved version {expectedVersion}; save to run your changes.</p>
        ) : null}
      </header>

      {isViewingOld && loaded ? (
        <div className="callout callout-info">
          <p className="callout-title">Version {loaded.version}, read-only</p>
          <p>
            Saved {formatDateTime(loaded.versions.find((entry) => entry.version === loaded.version)?.createdAt)}. The newest is version{" "}
            {loaded.currentVersion}.
          </p>
          <div className="button-row">
            <Link href={`/pipelines/${loaded.id}`} className="button button-secondary button-small">
              Open the newest version
            </Link>
            {hasRole(project.role, "member") && !loaded.archivedAt ? (
              <Link href={`/pipelines/${loaded.id}?from=${loaded.version}`} className="button button-ghost button-small">
                Edit from this version
              </Link>
            ) : null}
          </div>
        </div>
      ) : null}
      {loaded?.archivedAt ? (
        <p className="callout callout-warning">This pipeline is archived; restore it from the list to edit or run it.</p>
      ) : null}
      {fromVersion && !isReadOnly ? (
        <p className="callout callout-info">Editing from version {fromVersion}; saving makes it the newest version.</p>
      ) : null}
      {conflictVersion !== null ? (
        <div className="callout callout-warning" role="alert">
          <p className="callout-title">Version {conflictVersion} was saved while you edited</p>
          <p>
            Your changes are kept here, not saved. Open the newest version to see what changed, or save yours over it as the next version.
          </p>
          <div className="button-row">
            <a href={`/pipelines/${pipelineId}`} className="button button-secondary button-small">
              Open version {conflictVersion} (drops your changes)
            </a>
            <button type="button" className="button button-danger-quiet button-small" onClick={() => save(conflictVersion)}>
              Save mine as version {conflictVersion + 1}
            </button>
          </div>
        </div>
      ) : isBehind ? (
        <p className="callout callout-warning">
          Version {latestVersion} was saved meanwhile (you started from {expectedVersion}); saving now will be refused as a conflict.
        </p>
      ) : null}

      <section className="section panel" aria-label="Name and description">
        <fieldset className={styles.detailsGrid} disabled={isReadOnly}>
          <legend className="visually-hidden">Name and description</legend>
          <TextField
            label="Name"
            value={name}
            maxLength={100}
            error={nameError}
            onChange={(event) => {
              setName(event.target.value);
              setNameError(undefined);
            }}
          />
          <div className="field">
            <label htmlFor={descriptionId}>Description</label>
            <input id={descriptionId} value={description} maxLength={2_000} onChange={(event) => setDescription(event.target.value)} />
          </div>
        </fieldset>
      </section>

      {isReadOnly ? null : (
        <section className={styles.palette} aria-label="Add a node">
          <span className={styles.paletteLabel}>Add</span>
          {pipelineNodeTypes.map((type) => (
            <button
              key={type}
              type="button"
              className={`button button-secondary button-small ${styles.paletteButton}`}
              title={nodeTypeDescriptions[type]}
              aria-label={`Add ${nodeTypeLabels[type]} node`}
              onClick={() => addNode(type)}
            >
              + {nodeTypeLabels[type]}
            </button>
          ))}
        </section>
      )}

      <div className={styles.editorLayout}>
        <div className={styles.canvas} ref={canvasRef} data-testid="pipeline-canvas">
          <ReactFlow<PipelineFlowNode, PipelineFlowEdge>
            nodes={displayNodes}
            edges={displayEdges}
            nodeTypes={flowNodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onPaneClick={() => setSelection(null)}
            isValidConnection={(connection) => connection.source !== connection.target}
            nodesDraggable={!isReadOnly}
            nodesConnectable={!isReadOnly}
            deleteKeyCode={isReadOnly ? null : ["Backspace", "Delete"]}
            colorMode="dark"
            fitView
            fitViewOptions={fitViewOptions}
            minZoom={0.2}
          >
            <Background gap={20} />
            <FitOnResize nodesKey={nodes.map((node) => node.id).join(",")} />
            <Controls showInteractive={false} />
          </ReactFlow>
          {nodes.length === 0 ? (
            <div className={styles.canvasEmpty}>
              <p className="state-title">No nodes yet</p>
              <p className="muted">Add one from the row above; connect them by dragging from the dot at a node’s bottom to another node.</p>
            </div>
          ) : null}
        </div>
        <aside className={styles.sidePanel} aria-label="Inspector">
          {selectedNode ? (
            <NodePanel
              key={selectedNode.id}
              node={selectedNode.data.node}
              problems={byNode.get(selectedNode.id) ?? []}
              pickers={pickers}
              pipelineId={pipelineId}
              otherNodeIds={nodes.map((node) => node.id).filter((id) => id !== selectedNode.id)}
              outgoing={edges.filter((edge) => edge.source === selectedNode.id)}
              isReadOnly={isReadOnly}
              onChange={(draft) => updateNode(selectedNode.id, draft)}
              onRename={(id) => renameNode(selectedNode.id, id)}
              onDelete={() => deleteNode(selectedNode.id)}
              onConnect={(target, when) => connect(selectedNode.id, target, when)}
              onRemoveEdge={(id) => setEdges((current) => current.filter((edge) => edge.id !== id))}
            />
          ) : selectedEdge ? (
            <EdgePanel
              edge={selectedEdge}
              sourceNode={nodes.find((node) => node.id === selectedEdge.source)?.data.node}
              isReadOnly={isReadOnly}
              onChange={(when) =>
                setEdges((current) =>
                  current.map((edge) => (edge.id === selectedEdge.id ? flowEdge(edge.source, edge.target, when) : edge)),
                )
              }
              onDelete={() => {
                setEdges((current) => current.filter((edge) => edge.id !== selectedEdge.id));
                setSelection(null);
              }}
            />
          ) : (
            <InputsEditor
              inputs={inputs}
              timeoutMs={timeoutMs}
              problems={problems.filter((problem) => !problem.nodeId)}
              isReadOnly={isReadOnly}
              onChange={setInputs}
              onTimeoutChange={setTimeoutMs}
            />
          )}
        </aside>
      </div>

      <div ref={problemsRef} tabIndex={-1} className={styles.problemsAnchor}>
        {problems.length > 0 ? (
          <ProblemsList problems={problems} title="Problems" onSelectNode={selectNode} />
        ) : nodes.length > 0 ? (
          <p className={`${styles.valid} muted`} data-testid="definition-valid">
            No problems: the definition is valid.
          </p>
        ) : null}
      </div>

      {loaded && loaded.versions.length > 0 ? (
        <VersionHistory
          pipeline={loaded}
          shownVersion={isViewingOld ? loaded.version : (fromVersion ?? expectedVersion ?? loaded.currentVersion)}
          shownLabel={isViewingOld ? "Shown" : fromVersion ? "Editing from" : "Editing"}
        />
      ) : null}

      {pipelineId !== null ? (
        <RunDialog
          projectId={project.id}
          pipelineId={pipelineId}
          pipelineName={name.trim() || initial.name}
          isOpen={isRunOpen}
          onClose={() => setIsRunOpen(false)}
        />
      ) : null}
    </>
  );
}

function EdgePanel({
  edge,
  sourceNode,
  isReadOnly,
  onChange,
  onDelete,
}: {
  edge: PipelineFlowEdge;
  sourceNode: DraftNode | undefined;
  isReadOnly: boolean;
  onChange: (when: EdgeWhen | undefined) => void;
  onDelete: () => void;
}) {
  const whenId = useId();
  const options =
    sourceNode?.type === "condition"
      ? [
          { value: "true", label: "When the condition is true" },
          { value: "false", label: "When the condition is false" },
          { value: "error", label: "On error" },
        ]
      : [
          { value: "", label: "On success" },
          { value: "error", label: "On error (needs On error: follow “error” edges)" },
        ];
  return (
    <section className={styles.panelSection} aria-label={`Edge ${edge.source} to ${edge.target}`}>
      <div className={styles.panelTitle}>
        <div>
          <span className={styles.flowNodeType}>Edge</span>
          <h3 className="mono">
            {edge.source} → {edge.target}
          </h3>
        </div>
        {isReadOnly ? null : (
          <button type="button" className="button button-danger-quiet button-small" onClick={onDelete}>
            Delete edge
          </button>
        )}
      </div>
      <div className="field">
        <label htmlFor={whenId}>Followed</label>
        <select
          id={whenId}
          value={edge.data?.when ?? ""}
          disabled={isReadOnly}
          onChange={(event) => onChange(whenOfHandle(event.target.value))}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
    </section>
  );
}

function VersionHistory({ pipeline, shownVersion, shownLabel }: { pipeline: PipelineDetail; shownVersion: number; shownLabel: string }) {
  return (
    <section className="section" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Version history</h2>
      <ol className={styles.versions}>
        {pipeline.versions.map((entry) => {
          const isCurrent = entry.version === pipeline.currentVersion;
          const isShown = shownVersion === entry.version;
          return (
            <li key={entry.id} aria-current={isShown ? "true" : undefined}>
              <span className="mono">v{entry.version}</span>
              <span className="muted">{formatDateTime(entry.createdAt)}</span>
              {isCurrent ? <span className="badge badge-ok">Newest</span> : null}
              {isShown ? (
                <span className="badge badge-quiet">{shownLabel}</span>
              ) : (
                <Link
                  href={isCurrent ? `/pipelines/${pipeline.id}` : `/pipelines/${pipeline.id}?version=${entry.version}`}
                  className="button button-ghost button-small"
                  aria-label={`View version ${entry.version}`}
                >
                  View
                </Link>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
