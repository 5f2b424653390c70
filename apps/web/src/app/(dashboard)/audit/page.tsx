/** /audit: what happened in the current project, by whom, with a tamper check. */
import type { Metadata } from "next";
import { AuditView } from "~/components/audit/audit-view";
import { hasRole } from "~/components/format";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { auditPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage() {
  // Admins only: below that the page shows the API's refusal, which the browser asks for itself.
  await prefetchForProject((trpc, project) =>
    hasRole(project.role, "admin")
      ? [
          trpc.members.list.queryOptions({ projectId: project.id }),
          trpc.audit.list.queryOptions(auditPageInput(project.id, { search: "", action: "" })),
        ]
      : [],
  );
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Audit</h1>
        <p className="muted">Every sign-in, membership, token and settings change in this project.</p>
      </header>
      <AuditView />
    </HydrateClient>
  );
}
