/** /usage: tokens and cost by day and model, the project's daily budgets and price overrides. */
import type { Metadata } from "next";
import { UsageView } from "~/components/usage/usage-view";

export const metadata: Metadata = { title: "Usage" };

export default function UsagePage() {
  return (
    <>
      <header className="page-header">
        <h1>Usage</h1>
        <p className="muted">What the project’s model calls used and cost, per day and model, and the limits that keep it in check.</p>
      </header>
      <UsageView />
    </>
  );
}
