/**
 * Between a pipeline definition and what React Flow draws: nodes keep their pipeline node in `data`
 * and their place in `position` (stored back into the node's `position` field on save); edges carry
 * `when` as the handle they leave from ("true"/"false" of a condition, "error" of a node that branches
 * on error). Nodes without a stored position are laid out in layers by depth, top to bottom.
 */
import type { PipelineNodeType } from "@gathering/core/browser";
import type { Edge, Node } from "@xyflow/react";
import type { NodeStatus } from "./shared";

export type EdgeWhen = "true" | "false" | "error";
export type SourceHandle = "out" | EdgeWhen;

/** A node as the editor holds it: the definition's fields, not yet validated. */
export interface DraftNode {
  id: string;
  type: PipelineNodeType;
  label?: string;
  config: Record<string, unknown>;
  retry?: { maxAttempts?: number; backoffMs?: number; maxBackoffMs?: number; jitter?: boolean };
  timeoutMs?: number;
  onError?: "fail" | "continue" | "branch";
  position?: { x: number; y: number };
}

export interface FlowNodeData extends Record<string, unknown> {
  node: DraftNode;
  /** Handles to draw on the right, besides those the type always has (an edge may still use one). */
  sourceHandles: SourceHandle[];
  problemCount?: number;
  status?: NodeStatus;
  attempts?: number;
}

export type PipelineFlowNode = Node<FlowNodeData, "pipeline">;
export type PipelineFlowEdge = Edge<{ when?: EdgeWhen }>;

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 92;
/** Pipelines flow downwards: a chain fits the tall canvas beside the panel at a readable zoom. */
export const LAYER_GAP = 150;
const SIBLING_GAP = 250;

interface RawDefinition {
  inputs?: unknown[];
  nodes?: unknown[];
  edges?: unknown[];
  timeoutMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function handleOfWhen(when: EdgeWhen | undefined): SourceHandle {
  return when ?? "out";
}

export function whenOfHandle(handle: string | null | undefined): EdgeWhen | undefined {
  return handle === "true" || handle === "false" || handle === "error" ? handle : undefined;
}

export function edgeId(from: string, to: string): string {
  return `${from}->${to}`;
}

/** The handles a node draws: its type's own, "error" when it branches on error, and any an edge leaves from. */
export function sourceHandlesOf(node: DraftNode, edges: readonly PipelineFlowEdge[]): SourceHandle[] {
  const handles = new Set<SourceHandle>(node.type === "condition" ? ["true", "false"] : ["out"]);
  if (node.onError === "branch") handles.add("error");
  for (const edge of edges) if (edge.source === node.id) handles.add(handleOfWhen(edge.data?.when));
  const order: SourceHandle[] = ["out", "true", "false", "error"];
  return order.filter((handle) => handles.has(handle));
}

/** Layers (top to bottom) by longest path from a start node; siblings left to right in definition order. */
function layout(nodes: readonly DraftNode[], edges: ReadonlyArray<{ from: string; to: string }>): Map<string, { x: number; y: number }> {
  const incoming = new Map<string, string[]>(nodes.map((node) => [node.id, []]));
  for (const edge of edges) incoming.get(edge.to)?.push(edge.from);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle: the validator reports it; the drawing only needs to end
    visiting.add(id);
    const parents = incoming.get(id) ?? [];
    const value = parents.length === 0 ? 0 : Math.max(...parents.map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, value);
    return value;
  };
  const siblings = new Map<number, number>();
  const positions = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const layer = depthOf(node.id);
    const index = siblings.get(layer) ?? 0;
    siblings.set(layer, index + 1);
    positions.set(node.id, { x: index * SIBLING_GAP, y: layer * LAYER_GAP });
  }
  return positions;
}

function draftNodeOf(raw: unknown, index: number): DraftNode {
  const value = isRecord(raw) ? raw : {};
  const type = (typeof value.type === "string" ? value.type : "transform") as PipelineNodeType;
  const node: DraftNode = {
    id: typeof value.id === "string" ? value.id : `node_${index + 1}`,
    type,
    config: isRecord(value.config) ? { ...value.config } : {},
  };
  if (typeof value.label === "string") node.label = value.label;
  if (isRecord(value.retry)) node.retry = { ...value.retry };
  if (typeof value.timeoutMs === "number") node.timeoutMs = value.timeoutMs;
  if (value.onError === "fail" || value.onError === "continue" || value.onError === "branch") node.onError = value.onError;
  if (isRecord(value.position) && typeof value.position.x === "number" && typeof value.position.y === "number") {
    node.position = { x: value.position.x, y: value.position.y };
  }
  return node;
}

export function flowOfDefinition(definition: RawDefinition): { nodes: PipelineFlowNode[]; edges: PipelineFlowEdge[] } {
  const drafts = (definition.nodes ?? []).map(draftNodeOf);
  const rawEdges = (definition.edges ?? []).filter(isRecord).flatMap((edge) => {
    if (typeof edge.from !== "string" || typeof edge.to !== "string") return [];
    const when = whenOfHandle(typeof edge.when === "string" ? edge.when : undefined);
    return [{ from: edge.from, to: edge.to, ...(when ? { when } : {}) }];
  });
  const positions = layout(drafts, rawEdges);
  const edges: PipelineFlowEdge[] = rawEdges.map((edge) => flowEdge(edge.from, edge.to, edge.when));
  const nodes: PipelineFlowNode[] = drafts.map((draft) => ({
    id: draft.id,
    type: "pipeline",
    position: draft.position ?? positions.get(draft.id) ?? { x: 0, y: 0 },
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    data: { node: draft, sourceHandles: sourceHandlesOf(draft, edges) },
  }));
  return { nodes, edges };
}

export function flowEdge(from: string, to: string, when: EdgeWhen | undefined): PipelineFlowEdge {
  return {
    id: edgeId(from, to),
    source: from,
    target: to,
    sourceHandle: handleOfWhen(when),
    targetHandle: "in",
    data: when ? { when } : {},
    ...(when ? { label: when } : {}),
    className: when ? `edge-${when}` : undefined,
  };
}

/** The definition the editor's graph stands for, in the validator's and the API's shape. */
export function definitionOfFlow(
  nodes: readonly PipelineFlowNode[],
  edges: readonly PipelineFlowEdge[],
  extra: { inputs: unknown[]; timeoutMs?: number },
): { inputs: unknown[]; nodes: DraftNode[]; edges: Array<{ from: string; to: string; when?: EdgeWhen }>; timeoutMs?: number } {
  return {
    inputs: extra.inputs,
    nodes: nodes.map((flowNode) => {
      const { position: _stored, ...node } = flowNode.data.node;
      return { ...node, position: { x: Math.round(flowNode.position.x), y: Math.round(flowNode.position.y) } };
    }),
    edges: edges.map((edge) => {
      const when = edge.data?.when;
      return { from: edge.source, to: edge.target, ...(when ? { when } : {}) };
    }),
    ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
  };
}
