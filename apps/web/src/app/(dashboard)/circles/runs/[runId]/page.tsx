/** /circles/runs/[runId]: one run of a circle or a conversation, live. */
import type { Metadata } from "next";
import { CircleRunView } from "~/components/circles/circle-run-view";

export const metadata: Metadata = { title: "Circle run" };

export default async function CircleRunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  return <CircleRunView runId={runId} />;
}
