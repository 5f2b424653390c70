/**
 * The inputs of the queries each dashboard page shows first, in one place for the server's prefetch
 * (app/(dashboard)/** page.tsx) and the client hooks: the same input gives the same query key, so what the
 * server prefetched is what the hydrated page reads, and a page size or filter changed here changes both.
 * No directive: server components and client components both import it.
 */
import type { RouterInputs } from "@gathering/api";

type Inputs = RouterInputs;

/** The most of a kind that one request gives a picker or a name lookup (newest first). */
export const LOOKUP_LIMIT = 100;
/** Rows per page of the list pages. */
export const LIST_PAGE_SIZE = 20;
/** Rows in each of the overview's short lists. */
export const OVERVIEW_LIMIT = 5;
/** The overview's usage chart: the last two weeks. */
export const OVERVIEW_USAGE_DAYS = 14;

/** Names of every agent, archived too (past tasks, runs and waiting calls still need one). */
export function agentNamesInput(projectId: string): Inputs["agents"]["list"] {
  return { projectId, includeArchived: true, limit: LOOKUP_LIMIT };
}

/** The agents one can still pick (forms). */
export function activeAgentsInput(projectId: string): Inputs["agents"]["list"] {
  return { projectId, includeArchived: false, limit: LOOKUP_LIMIT };
}

/** Names of every pipeline, archived too (their runs still need one). */
export function pipelineNamesInput(projectId: string): Inputs["pipelines"]["list"] {
  return { projectId, includeArchived: true, limit: LOOKUP_LIMIT };
}

export interface ArchivableListFilter {
  search: string;
  includeArchived: boolean;
}

export const noArchivableFilter: ArchivableListFilter = { search: "", includeArchived: false };

export function agentsPageInput(projectId: string, filter = noArchivableFilter, cursor?: string): Inputs["agents"]["list"] {
  return { projectId, search: filter.search || undefined, includeArchived: filter.includeArchived, limit: LIST_PAGE_SIZE, cursor };
}

export function circlesPageInput(projectId: string, filter = noArchivableFilter, cursor?: string): Inputs["circles"]["list"] {
  return { projectId, search: filter.search || undefined, includeArchived: filter.includeArchived, limit: LIST_PAGE_SIZE, cursor };
}

export function pipelinesPageInput(projectId: string, filter = noArchivableFilter, cursor?: string): Inputs["pipelines"]["list"] {
  return { projectId, search: filter.search || undefined, includeArchived: filter.includeArchived, limit: LIST_PAGE_SIZE, cursor };
}

export function schedulesPageInput(projectId: string, search = "", cursor?: string): Inputs["schedules"]["list"] {
  return { projectId, search: search || undefined, limit: LIST_PAGE_SIZE, cursor };
}

export const SCHEDULE_HISTORY_PAGE_SIZE = 25;

/** A schedule's fires, newest first (its page's history). */
export function scheduleHistoryPageInput(projectId: string, scheduleId: string, cursor?: string): Inputs["schedules"]["history"] {
  return { projectId, scheduleId, limit: SCHEDULE_HISTORY_PAGE_SIZE, cursor };
}

/** The newest fire of a schedule (the list's "Last fire" column). */
export function lastFireInput(projectId: string, scheduleId: string): Inputs["schedules"]["history"] {
  return { projectId, scheduleId, limit: 1 };
}

/** The knowledge bases one can attach (the agent form's checkboxes), newest first. */
export function knowledgeBaseChoicesInput(projectId: string): Inputs["knowledge"]["list"] {
  return { projectId, limit: LOOKUP_LIMIT };
}

export function knowledgeBasesPageInput(projectId: string, search = "", cursor?: string): Inputs["knowledge"]["list"] {
  return { projectId, search: search || undefined, limit: LIST_PAGE_SIZE, cursor };
}

export const DOCUMENTS_PAGE_SIZE = 25;

export type DocumentStatusFilter = NonNullable<Inputs["knowledge"]["listDocuments"]["status"]> | "all";

export function documentsPageInput(
  projectId: string,
  knowledgeBaseId: string,
  status: DocumentStatusFilter = "all",
  cursor?: string,
): Inputs["knowledge"]["listDocuments"] {
  return { projectId, knowledgeBaseId, status: status === "all" ? undefined : status, limit: DOCUMENTS_PAGE_SIZE, cursor };
}

/** The documents a retrieval test may be narrowed to: the ready ones. */
export function readyDocumentsInput(projectId: string, knowledgeBaseId: string): Inputs["knowledge"]["listDocuments"] {
  return { projectId, knowledgeBaseId, status: "ready", limit: 200 };
}

/** "all" in a select means no filter. */
export const ALL = "all";

export interface RunsFilter {
  search: string;
  pipelineId: string | typeof ALL;
  status: NonNullable<Inputs["pipelines"]["listRuns"]["status"]> | typeof ALL;
}

export function pipelineRunsPageInput(projectId: string, filter: RunsFilter, cursor?: string): Inputs["pipelines"]["listRuns"] {
  return {
    projectId,
    search: filter.search || undefined,
    pipelineId: filter.pipelineId === ALL ? undefined : filter.pipelineId,
    status: filter.status === ALL ? undefined : filter.status,
    limit: LIST_PAGE_SIZE,
    cursor,
  };
}

export interface TasksFilter {
  search: string;
  agentId: string | typeof ALL;
  status: NonNullable<Inputs["tasks"]["list"]["status"]> | typeof ALL;
}

export const noTasksFilter: TasksFilter = { search: "", agentId: ALL, status: ALL };

export function tasksPageInput(projectId: string, filter = noTasksFilter, cursor?: string): Inputs["tasks"]["list"] {
  return {
    projectId,
    search: filter.search || undefined,
    agentId: filter.agentId === ALL ? undefined : filter.agentId,
    status: filter.status === ALL ? undefined : filter.status,
    limit: LIST_PAGE_SIZE,
    cursor,
  };
}

export const NOTIFICATIONS_PAGE_SIZE = 30;

export function notificationsPageInput(
  projectId: string,
  readState: "unread" | "read",
  search = "",
  cursor?: string,
): Inputs["notifications"]["list"] {
  return { projectId, readState, search: search || undefined, limit: NOTIFICATIONS_PAGE_SIZE, cursor };
}

export const AUDIT_PAGE_SIZE = 25;

export type AuditAction = NonNullable<Inputs["audit"]["list"]["action"]>;

export function auditPageInput(
  projectId: string,
  filter: { search: string; action: AuditAction | "" },
  cursor?: string,
): Inputs["audit"]["list"] {
  return {
    projectId,
    search: filter.search || undefined,
    action: filter.action || undefined,
    beforeId: cursor === undefined ? undefined : Number(cursor),
    limit: AUDIT_PAGE_SIZE,
  };
}

/** A circle's own runs (its page's history). */
export function circleRunsInput(projectId: string, circleId: string): Inputs["circles"]["listRuns"] {
  return { projectId, circleId, limit: 50 };
}

/** The conversations on /circles, and the runs that replay them. */
export function conversationsPageInput(projectId: string, search = "", cursor?: string): Inputs["conversations"]["list"] {
  return { projectId, search: search || undefined, includeArchived: false, limit: LIST_PAGE_SIZE, cursor };
}

export function conversationRunsInput(projectId: string): Inputs["circles"]["listRuns"] {
  return { projectId, kind: "conversation", limit: LOOKUP_LIMIT };
}

/** The overview's active and failed runs. */
export const overviewRunLists = {
  active: { pipelineStatus: "running", circleStatuses: ["running", "paused"] },
  failed: { pipelineStatus: "failed", circleStatuses: ["failed"] },
} as const;

export function overviewPipelineRunsInput(projectId: string, status: "running" | "failed"): Inputs["pipelines"]["listRuns"] {
  return { projectId, status, limit: OVERVIEW_LIMIT };
}

export function overviewCircleRunsInput(
  projectId: string,
  statuses: readonly ("running" | "paused" | "failed")[],
): Inputs["circles"]["listRuns"] {
  return { projectId, statuses: [...statuses], limit: OVERVIEW_LIMIT };
}
