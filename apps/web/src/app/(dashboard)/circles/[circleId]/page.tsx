/** /circles/[circleId]: a circle, its runs, and starting one. */
import type { Metadata } from "next";
import { CircleDetailView } from "~/components/circles/circle-detail";

export const metadata: Metadata = { title: "Circle" };

export default async function CirclePage({ params }: { params: Promise<{ circleId: string }> }) {
  const { circleId } = await params;
  return <CircleDetailView circleId={circleId} />;
}
