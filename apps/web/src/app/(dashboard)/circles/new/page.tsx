/** /circles/new: create a circle. */
import type { Metadata } from "next";
import { NewCircleView } from "~/components/circles/new-circle-view";

export const metadata: Metadata = { title: "New circle" };

export default function NewCirclePage() {
  return (
    <>
      <header className="page-header">
        <h1>New circle</h1>
        <p className="muted">Pick agents, give each a role in this circle, choose how they take turns and when they stop.</p>
      </header>
      <NewCircleView />
    </>
  );
}
