/** /audit: what happened in the current project, by whom, with a tamper check. */
import type { Metadata } from "next";
import { AuditView } from "~/components/audit/audit-view";

export const metadata: Metadata = { title: "Audit" };

export default function AuditPage() {
  return (
    <>
      <header className="page-header">
        <h1>Audit</h1>
        <p className="muted">Every sign-in, membership, token and settings change in this project.</p>
      </header>
      <AuditView />
    </>
  );
}
