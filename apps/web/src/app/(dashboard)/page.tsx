/** The overview: the current project at a glance and the state of the installation. */
import { ProjectSummary } from "~/components/project-summary";
import { SystemPanel } from "~/components/system-panel";

export default function OverviewPage() {
  return (
    <>
      <header className="page-header">
        <h1>Overview</h1>
        <p className="muted">The state of this GatheRing installation.</p>
      </header>
      <ProjectSummary />
      <SystemPanel />
    </>
  );
}
