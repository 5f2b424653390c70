/** The overview: the current project at a glance (live runs, failures, events, usage, schedules) and the state of the installation. */
import { OverviewPanels } from "~/components/overview/overview-panels";
import { ProjectSummary } from "~/components/project-summary";
import { SystemPanel } from "~/components/system-panel";

export default function OverviewPage() {
  return (
    <>
      <header className="page-header">
        <h1>Overview</h1>
        <p className="muted">What is running, what failed, what comes next, and the state of this GatheRing installation.</p>
      </header>
      <ProjectSummary />
      <OverviewPanels />
      <SystemPanel />
    </>
  );
}
