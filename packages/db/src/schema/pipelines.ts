/**
 * Pipelines: a named DAG whose every save is an immutable version, and its runs. A run keeps the
 * version it started with; each node of a run has one row that the engine moves through its states in
 * transactions (claim, finish and enqueue successors), so the row is the truth about a node, not the job.
 */
import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const pipelines = pgTable(
  "pipelines",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    /** The newest version's number; runs start from it unless they name another. */
    currentVersion: integer("current_version").notNull().default(1),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    archivedAt: timestamp("archived_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("pipelines_project_id_idx").on(table.projectId, table.createdAt),
    uniqueIndex("pipelines_project_live_name_key").on(table.projectId, sql`lower(${table.name})`).where(sql`${table.archivedAt} is null`),
  ],
);

export const pipelineVersions = pgTable(
  "pipeline_versions",
  {
    id: id(),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /** The validated definition (nodes, edges, inputs); never updated. */
    definition: jsonb("definition").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("pipeline_versions_pipeline_version_key").on(table.pipelineId, table.version)],
);

export const pipelineRuns = pgTable(
  "pipeline_runs",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    versionId: uuid("version_id")
      .notNull()
      .references(() => pipelineVersions.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /** running | succeeded | failed | cancelled */
    status: text("status").notNull().default("running"),
    inputs: jsonb("inputs").notNull().default({}),
    /** Nodes not finished yet; kept by the engine under the run's lock, so the last one ends the run. */
    unfinishedNodes: integer("unfinished_nodes").notNull().default(0),
    /** The sink nodes' outputs by node id, when the run succeeded. */
    output: jsonb("output"),
    error: text("error"),
    /** Who or what started it: { kind: "user" | "schedule" | "rerun" | "subpipeline" | "map", ... }. */
    origin: jsonb("origin").notNull().default({}),
    /** A subpipeline or map item: the node of another run waiting for this one. */
    parentRunId: uuid("parent_run_id"),
    parentNodeId: text("parent_node_id"),
    timeoutAt: timestamp("timeout_at", { withTimezone: true, mode: "date" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("pipeline_runs_project_id_idx").on(table.projectId, table.createdAt),
    index("pipeline_runs_pipeline_id_idx").on(table.pipelineId, table.createdAt),
    index("pipeline_runs_parent_idx").on(table.parentRunId).where(sql`${table.parentRunId} is not null`),
  ],
);

export const pipelineNodeRuns = pgTable(
  "pipeline_node_runs",
  {
    id: id(),
    runId: uuid("run_id")
      .notNull()
      .references(() => pipelineRuns.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    nodeType: text("node_type").notNull(),
    /** pending | queued | running | waiting | succeeded | failed | skipped | cancelled */
    status: text("status").notNull().default("pending"),
    /** Predecessors not finished yet; the node is decided when this reaches 0. */
    pendingPredecessors: integer("pending_predecessors").notNull(),
    /** Finished predecessors whose edge to this node is taken; 0 when decided means skipped. */
    activeInputs: integer("active_inputs").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    input: jsonb("input"),
    output: jsonb("output"),
    error: text("error"),
    /** The branch a condition took ("true"/"false") or "error" when an error branch was followed. */
    branch: text("branch"),
    /** What a waiting node waits for and has done so far (approval, delay, child runs, agent task). */
    state: jsonb("state").notNull().default({}),
    /** Set when rerunFrom reused this node's output from an earlier run. */
    reusedFromRunId: uuid("reused_from_run_id"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex("pipeline_node_runs_run_node_key").on(table.runId, table.nodeId)],
);
