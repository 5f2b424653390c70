/** /circles: groups of agents that work on a task together, and agents' conversations. */
import type { Metadata } from "next";
import { CirclesView } from "~/components/circles/circles-view";

export const metadata: Metadata = { title: "Circles" };

export default function CirclesPage() {
  return (
    <>
      <header className="page-header">
        <h1>Circles</h1>
        <p className="muted">Agents with roles working on a task together, turn by turn, on the worker. Runs survive restarts.</p>
      </header>
      <CirclesView />
    </>
  );
}
