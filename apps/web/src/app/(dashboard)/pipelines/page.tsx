/** /pipelines: the project's pipelines (DAGs of agents, tools and steps that the worker runs). */
import type { Metadata } from "next";
import { PipelinesList } from "~/components/pipelines/pipelines-list";

export const metadata: Metadata = { title: "Pipelines" };

export default function PipelinesPage() {
  return (
    <>
      <header className="page-header">
        <h1>Pipelines</h1>
        <p className="muted">Chain agents, tools and steps into a graph; each run executes on the worker, node by node, durably.</p>
      </header>
      <PipelinesList />
    </>
  );
}
