/** Query functions for pipelines, their versions, runs and node runs. */
import { and, desc, eq, ilike, inArray, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { agents, pipelineNodeRuns, pipelineRuns, pipelines, pipelineVersions } from "../schema";
import { containsPattern, startsWithPattern } from "./search";

export type PipelineRow = typeof pipelines.$inferSelect;
export type PipelineVersionRow = typeof pipelineVersions.$inferSelect;
export type PipelineRunRow = typeof pipelineRuns.$inferSelect;
export type PipelineNodeRunRow = typeof pipelineNodeRuns.$inferSelect;

type Cursor = { createdAt: Date; id: string };

function before(column: { createdAt: typeof pipelines.createdAt; id: typeof pipelines.id } | typeof pipelineRuns, cursor: Cursor) {
  return or(lt(column.createdAt, cursor.createdAt), and(eq(column.createdAt, cursor.createdAt), lt(column.id, cursor.id)));
}

export async function insertPipeline(db: DbExecutor, values: typeof pipelines.$inferInsert): Promise<PipelineRow> {
  const [row] = await db.insert(pipelines).values(values).returning();
  if (!row) throw new Error("insert into pipelines returned no row");
  return row;
}

export async function insertPipelineVersion(db: DbExecutor, values: typeof pipelineVersions.$inferInsert): Promise<PipelineVersionRow> {
  const [row] = await db.insert(pipelineVersions).values(values).returning();
  if (!row) throw new Error("insert into pipeline_versions returned no row");
  return row;
}

export async function findPipeline(db: DbExecutor, params: { projectId: string; pipelineId: string }): Promise<PipelineRow | undefined> {
  const [row] = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.projectId, params.projectId), eq(pipelines.id, params.pipelineId)));
  return row;
}

export async function lockPipeline(db: DbExecutor, params: { projectId: string; pipelineId: string }): Promise<PipelineRow | undefined> {
  const [row] = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.projectId, params.projectId), eq(pipelines.id, params.pipelineId)))
    .for("update");
  return row;
}

export async function findLivePipelineByName(
  db: DbExecutor,
  params: { projectId: string; name: string },
): Promise<PipelineRow | undefined> {
  const [row] = await db
    .select()
    .from(pipelines)
    .where(
      and(eq(pipelines.projectId, params.projectId), isNull(pipelines.archivedAt), sql`lower(${pipelines.name}) = lower(${params.name})`),
    );
  return row;
}

export async function updatePipelineRow(
  db: DbExecutor,
  params: { pipelineId: string; values: Partial<typeof pipelines.$inferInsert> },
): Promise<PipelineRow | undefined> {
  const [row] = await db
    .update(pipelines)
    .set({ ...params.values, updatedAt: new Date() })
    .where(eq(pipelines.id, params.pipelineId))
    .returning();
  return row;
}

export async function findPipelineVersion(
  db: DbExecutor,
  params: { pipelineId: string; version: number },
): Promise<PipelineVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(pipelineVersions)
    .where(and(eq(pipelineVersions.pipelineId, params.pipelineId), eq(pipelineVersions.version, params.version)));
  return row;
}

export async function findPipelineVersionById(db: DbExecutor, versionId: string): Promise<PipelineVersionRow | undefined> {
  const [row] = await db.select().from(pipelineVersions).where(eq(pipelineVersions.id, versionId));
  return row;
}

export async function listPipelineVersions(db: DbExecutor, pipelineId: string) {
  return db
    .select({
      id: pipelineVersions.id,
      version: pipelineVersions.version,
      createdAt: pipelineVersions.createdAt,
      createdBy: pipelineVersions.createdBy,
    })
    .from(pipelineVersions)
    .where(eq(pipelineVersions.pipelineId, pipelineId))
    .orderBy(desc(pipelineVersions.version));
}

export async function listPipelineRows(
  db: DbExecutor,
  params: { projectId: string; search?: string; includeArchived?: boolean; limit: number; cursor?: Cursor },
): Promise<PipelineRow[]> {
  const conditions: SQL[] = [eq(pipelines.projectId, params.projectId)];
  if (!params.includeArchived) conditions.push(isNull(pipelines.archivedAt));
  if (params.search) {
    const pattern = containsPattern(params.search);
    const matches = or(ilike(pipelines.name, pattern), ilike(pipelines.description, pattern));
    if (matches) conditions.push(matches);
  }
  if (params.cursor) {
    const earlier = before(pipelines, params.cursor);
    if (earlier) conditions.push(earlier);
  }
  return db
    .select()
    .from(pipelines)
    .where(and(...conditions))
    .orderBy(desc(pipelines.createdAt), desc(pipelines.id))
    .limit(params.limit);
}

export async function insertPipelineRun(db: DbExecutor, values: typeof pipelineRuns.$inferInsert): Promise<PipelineRunRow> {
  const [row] = await db.insert(pipelineRuns).values(values).returning();
  if (!row) throw new Error("insert into pipeline_runs returned no row");
  return row;
}

export async function insertPipelineNodeRuns(
  db: DbExecutor,
  values: Array<typeof pipelineNodeRuns.$inferInsert>,
): Promise<PipelineNodeRunRow[]> {
  if (values.length === 0) return [];
  const rows: PipelineNodeRunRow[] = [];
  // Bounded statements: a 2,000-node pipeline stays under PostgreSQL's parameter limit.
  for (let start = 0; start < values.length; start += 500) {
    rows.push(
      ...(await db
        .insert(pipelineNodeRuns)
        .values(values.slice(start, start + 500))
        .returning()),
    );
  }
  return rows;
}

export async function findPipelineRun(db: DbExecutor, params: { projectId: string; runId: string }): Promise<PipelineRunRow | undefined> {
  const [row] = await db
    .select()
    .from(pipelineRuns)
    .where(and(eq(pipelineRuns.projectId, params.projectId), eq(pipelineRuns.id, params.runId)));
  return row;
}

export async function lockPipelineRun(db: DbExecutor, runId: string): Promise<PipelineRunRow | undefined> {
  const [row] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.id, runId)).for("update");
  return row;
}

export async function updatePipelineRunRow(
  db: DbExecutor,
  params: { runId: string; from?: readonly string[]; values: Partial<typeof pipelineRuns.$inferInsert> },
): Promise<PipelineRunRow | undefined> {
  const [row] = await db
    .update(pipelineRuns)
    .set({ ...params.values, updatedAt: new Date() })
    .where(and(eq(pipelineRuns.id, params.runId), params.from ? inArray(pipelineRuns.status, [...params.from]) : undefined))
    .returning();
  return row;
}

/** Adds a node's usage to its run's totals. */
export async function addPipelineRunUsage(
  db: DbExecutor,
  params: { runId: string; inputTokens: number; outputTokens: number; costMicros: number },
): Promise<void> {
  if (params.inputTokens === 0 && params.outputTokens === 0 && params.costMicros === 0) return;
  await db
    .update(pipelineRuns)
    .set({
      inputTokens: sql`${pipelineRuns.inputTokens} + ${params.inputTokens}`,
      outputTokens: sql`${pipelineRuns.outputTokens} + ${params.outputTokens}`,
      costMicros: sql`${pipelineRuns.costMicros} + ${params.costMicros}`,
    })
    .where(eq(pipelineRuns.id, params.runId));
}

export async function listPipelineRunRows(
  db: DbExecutor,
  params: {
    projectId: string;
    pipelineId?: string;
    status?: string;
    parentRunId?: string;
    search?: string;
    limit: number;
    cursor?: Cursor;
  },
): Promise<PipelineRunRow[]> {
  const conditions: SQL[] = [eq(pipelineRuns.projectId, params.projectId)];
  if (params.pipelineId) conditions.push(eq(pipelineRuns.pipelineId, params.pipelineId));
  if (params.status) conditions.push(eq(pipelineRuns.status, params.status));
  if (params.parentRunId) conditions.push(eq(pipelineRuns.parentRunId, params.parentRunId));
  if (params.search) {
    // A run has no name of its own: it is found by its pipeline's name, or by the start of its id (as the list shows it).
    const namedPipelines = db
      .select({ id: pipelines.id })
      .from(pipelines)
      .where(and(eq(pipelines.projectId, params.projectId), ilike(pipelines.name, containsPattern(params.search))));
    const matches = or(
      inArray(pipelineRuns.pipelineId, namedPipelines),
      ilike(sql`${pipelineRuns.id}::text`, startsWithPattern(params.search)),
    );
    if (matches) conditions.push(matches);
  }
  if (params.cursor) {
    const earlier = before(pipelineRuns, params.cursor);
    if (earlier) conditions.push(earlier);
  }
  return db
    .select()
    .from(pipelineRuns)
    .where(and(...conditions))
    .orderBy(desc(pipelineRuns.createdAt), desc(pipelineRuns.id))
    .limit(params.limit);
}

export async function listChildRuns(db: DbExecutor, params: { parentRunId: string; parentNodeId: string }): Promise<PipelineRunRow[]> {
  return db
    .select()
    .from(pipelineRuns)
    .where(and(eq(pipelineRuns.parentRunId, params.parentRunId), eq(pipelineRuns.parentNodeId, params.parentNodeId)))
    .orderBy(pipelineRuns.createdAt, pipelineRuns.id);
}

export async function listActiveChildRuns(db: DbExecutor, parentRunId: string): Promise<PipelineRunRow[]> {
  return db
    .select()
    .from(pipelineRuns)
    .where(and(eq(pipelineRuns.parentRunId, parentRunId), eq(pipelineRuns.status, "running"), isNotNull(pipelineRuns.parentNodeId)));
}

export async function listNodeRuns(db: DbExecutor, runId: string): Promise<PipelineNodeRunRow[]> {
  return db
    .select()
    .from(pipelineNodeRuns)
    .where(eq(pipelineNodeRuns.runId, runId))
    .orderBy(pipelineNodeRuns.startedAt, pipelineNodeRuns.nodeId);
}

export async function lockNodeRun(db: DbExecutor, params: { runId: string; nodeId: string }): Promise<PipelineNodeRunRow | undefined> {
  const [row] = await db
    .select()
    .from(pipelineNodeRuns)
    .where(and(eq(pipelineNodeRuns.runId, params.runId), eq(pipelineNodeRuns.nodeId, params.nodeId)))
    .for("update");
  return row;
}

export async function findNodeRun(db: DbExecutor, params: { runId: string; nodeId: string }): Promise<PipelineNodeRunRow | undefined> {
  const [row] = await db
    .select()
    .from(pipelineNodeRuns)
    .where(and(eq(pipelineNodeRuns.runId, params.runId), eq(pipelineNodeRuns.nodeId, params.nodeId)));
  return row;
}

export async function updateNodeRun(
  db: DbExecutor,
  params: { runId: string; nodeId: string; from?: readonly string[]; values: Partial<typeof pipelineNodeRuns.$inferInsert> },
): Promise<PipelineNodeRunRow | undefined> {
  const [row] = await db
    .update(pipelineNodeRuns)
    .set({ ...params.values, updatedAt: new Date() })
    .where(
      and(
        eq(pipelineNodeRuns.runId, params.runId),
        eq(pipelineNodeRuns.nodeId, params.nodeId),
        params.from ? inArray(pipelineNodeRuns.status, [...params.from]) : undefined,
      ),
    )
    .returning();
  return row;
}

/**
 * Records that one predecessor of each target finished, in one statement for all successors: counts
 * it off, counts a taken edge in, and queues a target whose last predecessor this was when some edge
 * in was taken (`wasQueued`). Rows are locked by the update, so two finishing predecessors of one
 * fan-in node serialise here and exactly one of them sees the count reach zero.
 */
export async function countDownPredecessors(
  db: DbExecutor,
  params: { runId: string; targets: Array<{ nodeId: string; isActive: boolean }> },
): Promise<Array<{ nodeId: string; pendingPredecessors: number; activeInputs: number; status: string; wasQueued: boolean }>> {
  if (params.targets.length === 0) return [];
  const active = params.targets.filter((target) => target.isActive).map((target) => target.nodeId);
  const all = params.targets.map((target) => target.nodeId);
  const taken = active.length ? sql`(case when ${inArray(pipelineNodeRuns.nodeId, active)} then 1 else 0 end)` : sql`0`;
  // SET expressions all read the row as it was, so the status test uses the counts before this update.
  const rows = await db
    .update(pipelineNodeRuns)
    .set({
      pendingPredecessors: sql`${pipelineNodeRuns.pendingPredecessors} - 1`,
      activeInputs: sql`${pipelineNodeRuns.activeInputs} + ${taken}`,
      status: sql`case when ${pipelineNodeRuns.status} = 'pending' and ${pipelineNodeRuns.pendingPredecessors} = 1 and ${pipelineNodeRuns.activeInputs} + ${taken} > 0 then 'queued' else ${pipelineNodeRuns.status} end`,
      updatedAt: new Date(),
    })
    .where(and(eq(pipelineNodeRuns.runId, params.runId), inArray(pipelineNodeRuns.nodeId, all)))
    .returning({
      nodeId: pipelineNodeRuns.nodeId,
      pendingPredecessors: pipelineNodeRuns.pendingPredecessors,
      activeInputs: pipelineNodeRuns.activeInputs,
      status: pipelineNodeRuns.status,
    });
  return rows.map((row) => ({ ...row, wasQueued: row.status === "queued" && row.pendingPredecessors === 0 }));
}

/** Moves every node of the run still in one of `from` to `status`; returns the moved rows. */
export async function transitionRunNodes(
  db: DbExecutor,
  params: { runId: string; from: readonly string[]; values: Partial<typeof pipelineNodeRuns.$inferInsert> },
): Promise<PipelineNodeRunRow[]> {
  return db
    .update(pipelineNodeRuns)
    .set({ ...params.values, updatedAt: new Date() })
    .where(and(eq(pipelineNodeRuns.runId, params.runId), inArray(pipelineNodeRuns.status, [...params.from])))
    .returning();
}

/** Whether any node of the run is not finished yet. */
export async function countUnfinishedNodes(db: DbExecutor, runId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(pipelineNodeRuns)
    .where(and(eq(pipelineNodeRuns.runId, runId), inArray(pipelineNodeRuns.status, ["pending", "queued", "running", "waiting"])));
  return row?.count ?? 0;
}

/** The channel a cancelled or failed run is announced on, so workers abort its running nodes at once. */
export const PIPELINE_CANCEL_CHANNEL = "gathering_pipeline_cancel";

export async function notifyPipelineCancel(db: DbExecutor, runId: string): Promise<void> {
  await db.execute(sql`select pg_notify(${PIPELINE_CANCEL_CHANNEL}, ${runId})`);
}

/** Outputs of some nodes of a run, for resolving references. */
export async function listNodeOutputs(db: DbExecutor, params: { runId: string; nodeIds: readonly string[] }) {
  if (params.nodeIds.length === 0) return [];
  return db
    .select({ nodeId: pipelineNodeRuns.nodeId, status: pipelineNodeRuns.status, output: pipelineNodeRuns.output })
    .from(pipelineNodeRuns)
    .where(and(eq(pipelineNodeRuns.runId, params.runId), inArray(pipelineNodeRuns.nodeId, [...params.nodeIds])));
}

export async function findPipelineRunById(db: DbExecutor, runId: string): Promise<PipelineRunRow | undefined> {
  const [row] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.id, runId));
  return row;
}

/** Which of these ids are live (not archived) agents of the project. */
export async function findLiveAgentIds(db: DbExecutor, params: { projectId: string; agentIds: readonly string[] }): Promise<Set<string>> {
  if (params.agentIds.length === 0) return new Set();
  const rows = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.projectId, params.projectId), inArray(agents.id, [...params.agentIds]), isNull(agents.archivedAt)));
  return new Set(rows.map((row) => row.id));
}

/** Which of these ids are pipelines of the project. */
export async function findPipelineIds(db: DbExecutor, params: { projectId: string; pipelineIds: readonly string[] }): Promise<Set<string>> {
  if (params.pipelineIds.length === 0) return new Set();
  const rows = await db
    .select({ id: pipelines.id })
    .from(pipelines)
    .where(and(eq(pipelines.projectId, params.projectId), inArray(pipelines.id, [...params.pipelineIds])));
  return new Set(rows.map((row) => row.id));
}

/** Moves the named nodes of a run that are still in one of `from`; one statement for all of them. */
export async function transitionNodesById(
  db: DbExecutor,
  params: { runId: string; nodeIds: readonly string[]; from: readonly string[]; values: Partial<typeof pipelineNodeRuns.$inferInsert> },
): Promise<PipelineNodeRunRow[]> {
  if (params.nodeIds.length === 0) return [];
  return db
    .update(pipelineNodeRuns)
    .set({ ...params.values, updatedAt: new Date() })
    .where(
      and(
        eq(pipelineNodeRuns.runId, params.runId),
        inArray(pipelineNodeRuns.nodeId, [...params.nodeIds]),
        inArray(pipelineNodeRuns.status, [...params.from]),
      ),
    )
    .returning();
}

/** Counts finished nodes off the run's total; returns how many are left. */
export async function countOffFinishedNodes(db: DbExecutor, params: { runId: string; finished: number }): Promise<number> {
  const [row] = await db
    .update(pipelineRuns)
    .set({ unfinishedNodes: sql`${pipelineRuns.unfinishedNodes} - ${params.finished}` })
    .where(eq(pipelineRuns.id, params.runId))
    .returning({ unfinishedNodes: pipelineRuns.unfinishedNodes });
  return row?.unfinishedNodes ?? 0;
}

export async function lockPipelineRunShared(db: DbExecutor, runId: string): Promise<PipelineRunRow | undefined> {
  const [row] = await db.select().from(pipelineRuns).where(eq(pipelineRuns.id, runId)).for("share");
  return row;
}

/** Serialises work on one idempotency key until the transaction ends. */
export async function lockIdempotencyKey(db: DbExecutor, key: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

export async function findRunByIdempotencyKey(
  db: DbExecutor,
  params: { projectId: string; key: string },
): Promise<PipelineRunRow | undefined> {
  const [row] = await db
    .select()
    .from(pipelineRuns)
    .where(and(eq(pipelineRuns.projectId, params.projectId), sql`${pipelineRuns.origin}->>'idempotencyKey' = ${params.key}`))
    .limit(1);
  return row;
}

/**
 * A finished node and everything it decides, as ONE statement (atomic on its own, no transaction
 * round trips), for the common case the engine routes here: the node succeeded and every edge out is
 * taken, so no successor can be skipped. Returns whether it applied and how many nodes of the run are
 * left; at 0 the caller completes the run (completeRunIfDone, which is safe to repeat).
 * The node row moves only from `expectedStatus` (a cancel that got there first wins: nothing happens
 * and false is returned); successors are counted down and those whose last predecessor this was are
 * queued with their jobs added and their events published in the same statement.
 */
export async function finishNodeAtOnce(
  db: DbExecutor,
  params: {
    projectId: string;
    runId: string;
    nodeId: string;
    expectedStatus: string;
    values: { attempts: number; startedAt: Date; input: unknown; output: unknown };
    successors: readonly string[];
    job: { identifier: string; maxAttempts: number; keyPrefix: string };
    eventTopic: string;
    eventsChannel: string;
  },
): Promise<{ isApplied: boolean; unfinishedNodes: number | null }> {
  const rows = await db.execute<{ finished: number; unfinished: number | null }>(sql`
    with run_lock as (
      -- The run's row first, like every transaction that touches a run and its nodes (no deadlocks).
      select id from pipeline_runs where id = ${params.runId} and status = 'running' for update
    ),
    node as (
      update pipeline_node_runs
      set status = 'succeeded', attempts = ${params.values.attempts}, started_at = ${params.values.startedAt.toISOString()}::timestamptz,
          input = ${JSON.stringify(params.values.input ?? null)}::jsonb, output = ${JSON.stringify(params.values.output ?? null)}::jsonb,
          error = null, branch = null, finished_at = now(), updated_at = now()
      where run_id = ${params.runId} and node_id = ${params.nodeId} and status = ${params.expectedStatus}
        and exists (select 1 from run_lock)
      returning node_id, attempts
    ),
    counted as (
      update pipeline_node_runs as successor
      set pending_predecessors = successor.pending_predecessors - 1,
          active_inputs = successor.active_inputs + 1,
          status = case when successor.status = 'pending' and successor.pending_predecessors = 1 then 'queued' else successor.status end,
          updated_at = now()
      from node
      where successor.run_id = ${params.runId}
        and successor.node_id in (select json_array_elements_text(${JSON.stringify(params.successors)}::json))
      returning successor.node_id, successor.status, successor.pending_predecessors
    ),
    queued as (select node_id from counted where status = 'queued' and pending_predecessors = 0),
    jobs as (
      select count(*) as added from graphile_worker.add_jobs(array(
        select json_populate_record(null::graphile_worker.job_spec, json_build_object(
          'identifier', ${params.job.identifier}::text,
          'payload', json_build_object('runId', ${params.runId}::text, 'nodeId', queued.node_id),
          'max_attempts', ${params.job.maxAttempts}::int,
          'job_key', ${params.job.keyPrefix}::text || queued.node_id))
        from queued), false)
    ),
    announced as (
      insert into events (project_id, topic, payload)
      select ${params.projectId}::uuid, ${params.eventTopic}::text,
             jsonb_build_object('runId', ${params.runId}::text, 'nodeId', change.node_id, 'status', change.status, 'attempts', change.attempts)
      from (
        select node_id, 'succeeded' as status, attempts from node
        union all
        select node_id, 'queued', 0 from queued
      ) as change
      returning id
    ),
    counted_off as (
      update pipeline_runs set unfinished_nodes = unfinished_nodes - 1, updated_at = now()
      from node where pipeline_runs.id = ${params.runId}
      returning unfinished_nodes
    )
    select (select count(*) from node)::int as finished,
           (select unfinished_nodes from counted_off) as unfinished,
           (select added from jobs) as jobs,
           (select count(*) from announced) as events,
           pg_notify(${params.eventsChannel}, 'new')`);
  const row = rows[0];
  return { isApplied: (row?.finished ?? 0) > 0, unfinishedNodes: row?.unfinished ?? null };
}

/** A run and one of its node rows, read together (one statement, one connection). */
export async function findRunWithNode(
  db: DbExecutor,
  params: { runId: string; nodeId: string },
): Promise<{ run: PipelineRunRow; node: PipelineNodeRunRow } | undefined> {
  const [row] = await db
    .select({ run: pipelineRuns, node: pipelineNodeRuns })
    .from(pipelineRuns)
    .innerJoin(pipelineNodeRuns, and(eq(pipelineNodeRuns.runId, pipelineRuns.id), eq(pipelineNodeRuns.nodeId, params.nodeId)))
    .where(eq(pipelineRuns.id, params.runId));
  return row;
}
