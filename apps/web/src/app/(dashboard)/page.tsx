import { SystemPanel } from "~/components/system-panel";

export default function OverviewPage() {
  return (
    <>
      <header className="page-header">
        <h1>Overview</h1>
        <p className="muted">The state of this GatheRing installation.</p>
      </header>
      <SystemPanel />
    </>
  );
}
