/**
 * pipelines.*: definitions (every save a new immutable version), runs on the worker, approvals, cancel
 * and rerun-from-a-node. Live status arrives as `pipeline_runs.changed` and `pipeline_nodes.changed`.
 */
import {
  cancelPipelineRun,
  createPipeline,
  decidePipelineApproval,
  duplicatePipeline,
  exportPipeline,
  getNodeRun,
  getPipeline,
  getPipelineRun,
  importPipeline,
  listPipelineRuns,
  listPipelines,
  rerunPipelineFrom,
  setPipelineArchivedState,
  startPipelineRun,
  updatePipeline,
  validatePipelineDefinition,
  ZCreatePipelineInput,
  ZDecidePipelineApprovalInput,
  ZListPipelinesInput,
  ZListRunsInput,
  ZPipelineName,
  ZRerunFromInput,
  ZStartRunInput,
  ZUpdatePipelineInput,
} from "@gathering/core";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../trpc";

const ZPipelineRef = z.object({ pipelineId: z.uuid() });
const ZRunRef = z.object({ runId: z.uuid() });

export const pipelinesRouter = createTRPCRouter({
  create: projectProcedure("member")
    .input(ZCreatePipelineInput)
    .mutation(({ ctx, input }) => createPipeline(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id })),
  update: projectProcedure("member")
    .input(ZUpdatePipelineInput)
    .mutation(({ ctx, input }) => updatePipeline(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id })),
  get: projectProcedure("viewer")
    .input(ZPipelineRef.extend({ version: z.number().int().min(1).optional() }))
    .query(({ ctx, input }) => getPipeline(ctx.db, { ...input, projectId: ctx.project.id })),
  list: projectProcedure("viewer")
    .input(ZListPipelinesInput.default({ includeArchived: false, limit: 50 }))
    .query(({ ctx, input }) => listPipelines(ctx.db, { ...input, projectId: ctx.project.id })),
  archive: projectProcedure("member")
    .input(ZPipelineRef)
    .mutation(({ ctx, input }) => setPipelineArchivedState(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id, isArchived: true })),
  restore: projectProcedure("member")
    .input(ZPipelineRef)
    .mutation(({ ctx, input }) => setPipelineArchivedState(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id, isArchived: false })),
  duplicate: projectProcedure("member")
    .input(ZPipelineRef.extend({ name: ZPipelineName.optional() }))
    .mutation(({ ctx, input }) =>
      duplicatePipeline(ctx.db, ctx.actor, {
        pipelineId: input.pipelineId,
        projectId: ctx.project.id,
        ...(input.name ? { name: input.name } : {}),
      }),
    ),
  /** Checks a definition without saving it; every problem is listed with its node. */
  validate: projectProcedure("viewer")
    .input(z.object({ definition: z.unknown() }))
    .query(({ input }) => validatePipelineDefinition(input.definition)),
  export: projectProcedure("viewer")
    .input(ZPipelineRef.extend({ version: z.number().int().min(1).optional() }))
    .query(({ ctx, input }) => exportPipeline(ctx.db, { ...input, projectId: ctx.project.id })),
  import: projectProcedure("member")
    .input(z.object({ document: z.unknown(), name: ZPipelineName.optional() }))
    .mutation(({ ctx, input }) =>
      importPipeline(ctx.db, ctx.actor, {
        projectId: ctx.project.id,
        document: input.document,
        ...(input.name ? { name: input.name } : {}),
      }),
    ),
  run: projectProcedure("member")
    .input(ZStartRunInput)
    .mutation(({ ctx, input }) =>
      startPipelineRun(ctx.db, ctx.services.pipelineQueue, ctx.actor, { ...input, projectId: ctx.project.id, origin: { kind: "user" } }),
    ),
  cancelRun: projectProcedure("member")
    .input(ZRunRef)
    .mutation(({ ctx, input }) =>
      cancelPipelineRun(ctx.db, ctx.services.pipelineQueue, ctx.actor, { ...input, projectId: ctx.project.id }),
    ),
  rerunFrom: projectProcedure("member")
    .input(ZRerunFromInput)
    .mutation(({ ctx, input }) =>
      rerunPipelineFrom(ctx.db, ctx.services.pipelineQueue, ctx.actor, { ...input, projectId: ctx.project.id }),
    ),
  decideApproval: projectProcedure("member")
    .input(ZDecidePipelineApprovalInput)
    .mutation(({ ctx, input }) =>
      decidePipelineApproval(ctx.db, ctx.services.pipelineQueue, ctx.actor, { ...input, projectId: ctx.project.id }),
    ),
  listRuns: projectProcedure("viewer")
    .input(ZListRunsInput.default({ limit: 50 }))
    .query(({ ctx, input }) => listPipelineRuns(ctx.db, { ...input, projectId: ctx.project.id })),
  getRun: projectProcedure("viewer")
    .input(ZRunRef)
    .query(({ ctx, input }) => getPipelineRun(ctx.db, { ...input, projectId: ctx.project.id })),
  getNodeRun: projectProcedure("viewer")
    .input(ZRunRef.extend({ nodeId: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getNodeRun(ctx.db, { ...input, projectId: ctx.project.id })),
});
