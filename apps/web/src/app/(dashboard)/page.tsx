/** The overview: the current project at a glance (live runs, failures, events, usage, schedules) and the state of the installation. */
import { OverviewPanels } from "~/components/overview/overview-panels";
import { ProjectSummary } from "~/components/project-summary";
import { SystemPanel } from "~/components/system-panel";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import {
  OVERVIEW_LIMIT,
  OVERVIEW_USAGE_DAYS,
  overviewCircleRunsInput,
  overviewPipelineRunsInput,
  overviewRunLists,
  pipelineNamesInput,
} from "~/trpc/page-queries";

export default async function OverviewPage() {
  await prefetchForProject((trpc, project) => [
    trpc.pipelines.list.queryOptions(pipelineNamesInput(project.id)),
    ...Object.values(overviewRunLists).flatMap(({ pipelineStatus, circleStatuses }) => [
      trpc.pipelines.listRuns.queryOptions(overviewPipelineRunsInput(project.id, pipelineStatus)),
      trpc.circles.listRuns.queryOptions(overviewCircleRunsInput(project.id, circleStatuses)),
    ]),
    trpc.schedules.upcoming.queryOptions({ projectId: project.id, limit: OVERVIEW_LIMIT }),
    trpc.usage.summary.queryOptions({ projectId: project.id, days: OVERVIEW_USAGE_DAYS }),
    trpc.system.info.queryOptions(),
  ]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Overview</h1>
        <p className="muted">What is running, what failed, what comes next, and the state of this GatheRing installation.</p>
      </header>
      <ProjectSummary />
      <OverviewPanels />
      <SystemPanel />
    </HydrateClient>
  );
}
