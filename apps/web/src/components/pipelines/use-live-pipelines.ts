/**
 * Keeps the pipeline pages current from events, without polling: `pipelines.changed` refreshes the
 * lists and the open pipeline; `pipeline_runs.changed` and `pipeline_nodes.changed` first write the new
 * status into the cached run (the node's colour changes in the same frame), then fetch the run again
 * for what came with it (outputs, errors, timings, tokens). Once the stream is (re)connected everything
 * is refreshed, so a change made while it was not listening is not missed.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { useProjectEvents } from "../project-events";
import { nodeChangeOf, type RunDetail, runChangeOf } from "./shared";

export function useLivePipelines(projectId: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  function refreshAll() {
    void queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.pipelines.listRuns.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.pipelines.getRun.queryKey() });
  }

  function updateRun(runId: string, update: (run: RunDetail) => RunDetail) {
    queryClient.setQueryData(trpc.pipelines.getRun.queryKey({ projectId, runId }), (run) => (run ? update(run) : run));
    void queryClient.invalidateQueries({ queryKey: trpc.pipelines.getRun.queryKey({ projectId, runId }) });
  }

  useProjectEvents(projectId, {
    onStarted: refreshAll,
    onData: ({ topic, payload }) => {
      if (topic === "pipelines.changed") {
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey() });
        return;
      }
      if (topic === "pipeline_runs.changed") {
        const change = runChangeOf(payload);
        if (!change) return;
        updateRun(change.runId, (run) => ({ ...run, status: change.status }));
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.listRuns.queryKey() });
        return;
      }
      if (topic === "pipeline_nodes.changed") {
        const change = nodeChangeOf(payload);
        if (!change) return;
        updateRun(change.runId, (run) => ({
          ...run,
          nodes: run.nodes.map((node) =>
            node.nodeId === change.nodeId ? { ...node, status: change.status, attempts: change.attempts } : node,
          ),
        }));
      }
    },
  });
}
