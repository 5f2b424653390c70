"use client";
/**
 * Fits the graph into the canvas again whenever the canvas changes size (the page gains a scrollbar,
 * the window is resized), once all nodes are measured, or when the set of nodes changes, so no node is
 * left cut off at an edge.
 * Rendered inside <ReactFlow>, whose store knows the canvas size.
 */
import { useNodesInitialized, useReactFlow, useStore } from "@xyflow/react";
import { useEffect } from "react";

export const fitViewOptions = { maxZoom: 1, padding: 0.15 } as const;

export function FitOnResize({ nodesKey }: { nodesKey: string }) {
  const { fitView } = useReactFlow();
  const width = useStore((state) => state.width);
  const height = useStore((state) => state.height);
  // Bounds are only right once every node has been measured.
  const isMeasured = useNodesInitialized();
  useEffect(() => {
    if (width > 0 && height > 0 && nodesKey && isMeasured) void fitView(fitViewOptions);
  }, [width, height, nodesKey, isMeasured, fitView]);
  return null;
}
