/** /runs/[runId]: one pipeline run, its graph with live node statuses, and the node inspector. */
import type { Metadata } from "next";
import { RunView } from "~/components/pipelines/run-view";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  return <RunView runId={runId} />;
}
