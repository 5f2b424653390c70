"use client";
/**
 * A pipeline node as React Flow draws it, in the editor and in the run view: its type, id and what it
 * does at a glance, one input on top and its outputs below ("true"/"false" of a condition,
 * "error" when it branches on error). In the editor it carries the count of its problems; in a run, its
 * status as a colour and a word.
 */
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from "@xyflow/react";
import { useEffect } from "react";
import type { PipelineFlowNode, SourceHandle } from "./graph";
import styles from "./pipelines.module.css";
import { nodeStatusLabels, nodeTypeLabels } from "./shared";

const handleLabels: Record<SourceHandle, string> = { out: "", true: "true", false: "false", error: "error" };

/** One line about what the node does, from its config. */
export function nodeSummary(node: PipelineFlowNode["data"]["node"]): string {
  const config = node.config;
  const text = (value: unknown) => (typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value));
  switch (node.type) {
    case "agent":
      return text(config.prompt) || "No prompt yet";
    case "tool":
      return text(config.tool) || "No tool chosen";
    case "condition":
      return text(config.expression) || "No expression yet";
    case "transform":
      return config.mapping ? `{ ${Object.keys(config.mapping as object).join(", ")} }` : text(config.expression) || "No expression yet";
    case "http":
      return `${text(config.method) || "GET"} ${text(config.url)}`.trim();
    case "delay":
      return `wait ${text(config.ms)}${typeof config.ms === "number" ? " ms" : ""}`;
    case "approval":
      return text(config.message) || "Approve to continue";
    case "subpipeline":
      return "runs another pipeline";
    case "map":
      return `for each of ${text(config.items) || "…"}`;
    default:
      return "";
  }
}

export function PipelineNodeCard({ id, data, selected }: NodeProps<PipelineFlowNode>) {
  const { node, sourceHandles, problemCount = 0, status, attempts } = data;
  // React Flow measures handles once; when one appears or goes (an "error" output), it must measure again
  // or edges start from the old places and the new handle cannot be dragged from.
  const updateNodeInternals = useUpdateNodeInternals();
  const handlesKey = sourceHandles.join(",");
  useEffect(() => {
    if (handlesKey) updateNodeInternals(id);
  }, [handlesKey, id, updateNodeInternals]);
  const statusClass = status ? styles[`status-${status}`] : "";
  return (
    <div
      className={`${styles.flowNode} ${statusClass ?? ""} ${problemCount > 0 ? styles.flowNodeInvalid : ""} ${selected ? styles.flowNodeSelected : ""}`}
      data-testid={`flow-node-${node.id}`}
      data-status={status}
    >
      <Handle type="target" position={Position.Top} id="in" className={styles.handle} data-testid={`handle-${node.id}-in`} />
      <div className={styles.flowNodeHeader}>
        <span className={styles.flowNodeType}>{nodeTypeLabels[node.type] ?? node.type}</span>
        {problemCount > 0 ? (
          <span className={`badge badge-bad ${styles.flowNodeBadge}`} data-testid="node-problems">
            {problemCount} problem{problemCount === 1 ? "" : "s"}
          </span>
        ) : null}
        {status ? (
          <span className={`${styles.statusPill} ${statusClass ?? ""}`} data-testid="node-status">
            {nodeStatusLabels[status]}
            {attempts && attempts > 1 ? ` ·${attempts}` : ""}
          </span>
        ) : null}
      </div>
      <div className={styles.flowNodeTitle}>{node.label || node.id}</div>
      <div className={styles.flowNodeSummary}>{nodeSummary(node)}</div>
      {sourceHandles.map((handle, index) => {
        const left = `${((index + 1) / (sourceHandles.length + 1)) * 100}%`;
        return (
          <div key={handle}>
            <Handle
              type="source"
              position={Position.Bottom}
              id={handle}
              className={`${styles.handle} ${styles[`handle-${handle}`] ?? ""}`}
              style={{ left }}
              data-testid={`handle-${node.id}-${handle}`}
            />
            {handleLabels[handle] ? (
              <span className={styles.handleLabel} style={{ left }}>
                {handleLabels[handle]}
              </span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

export const flowNodeTypes = { pipeline: PipelineNodeCard };
