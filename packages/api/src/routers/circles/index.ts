/**
 * circles.*: circles (members with roles, strategy, termination rules) and their durable runs on the
 * worker, with the live controls: post a message, pause, resume, cancel. Live changes arrive as
 * `circle_runs.changed` and `circle_messages.added`; a speaking member's tokens as `agent.token` with
 * the stream id `circle-run:{runId}`.
 */
import {
  cancelCircleRun,
  createCircle,
  getCircle,
  getCircleRun,
  listCircleRuns,
  listCircles,
  pauseCircleRun,
  postCircleMessage,
  resumeCircleRun,
  setCircleArchivedState,
  startCircleRun,
  updateCircle,
  ZListCircleRunsInput,
  ZListCirclesInput,
  ZPostCircleMessageInput,
  ZStartCircleRunInput,
  ZUpdateCircleInput,
} from "@gathering/core";
import { circleQueue } from "@gathering/jobs";
import { z } from "zod";
import type { ApiServices } from "../../context";
import { createTRPCRouter, projectProcedure } from "../../trpc";

const ZCircleRef = z.object({ circleId: z.uuid() });
const ZRunRef = z.object({ runId: z.uuid() });

export const queueOf = (services: ApiServices) => services.circleQueue ?? circleQueue;

export const circlesRouter = createTRPCRouter({
  /** The definition is validated in core (ZCircleDefinition), so the form and the API give the same messages. */
  create: projectProcedure("member")
    .input(z.object({ definition: z.unknown() }))
    .mutation(({ ctx, input }) =>
      createCircle(ctx.db, ctx.actor, {
        projectId: ctx.project.id,
        definition: input.definition as Parameters<typeof createCircle>[2]["definition"],
      }),
    ),
  update: projectProcedure("member")
    .input(ZUpdateCircleInput)
    .mutation(({ ctx, input }) =>
      updateCircle(ctx.db, ctx.actor, {
        projectId: ctx.project.id,
        circleId: input.circleId,
        definition: input.definition,
        ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
      }),
    ),
  get: projectProcedure("viewer")
    .input(ZCircleRef)
    .query(({ ctx, input }) => getCircle(ctx.db, { ...input, projectId: ctx.project.id })),
  list: projectProcedure("viewer")
    .input(ZListCirclesInput.default({ includeArchived: false, limit: 50 }))
    .query(({ ctx, input }) => listCircles(ctx.db, { ...input, projectId: ctx.project.id })),
  archive: projectProcedure("member")
    .input(ZCircleRef)
    .mutation(({ ctx, input }) => setCircleArchivedState(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id, isArchived: true })),
  restore: projectProcedure("member")
    .input(ZCircleRef)
    .mutation(({ ctx, input }) => setCircleArchivedState(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id, isArchived: false })),
  run: projectProcedure("member")
    .input(ZStartCircleRunInput)
    .mutation(({ ctx, input }) =>
      startCircleRun(ctx.db, queueOf(ctx.services), ctx.actor, {
        projectId: ctx.project.id,
        circleId: input.circleId,
        task: input.task,
        ...(input.termination ? { termination: input.termination } : {}),
        origin: { kind: "user" },
      }),
    ),
  listRuns: projectProcedure("viewer")
    .input(ZListCircleRunsInput.default({ limit: 50 }))
    .query(({ ctx, input }) => listCircleRuns(ctx.db, { ...input, projectId: ctx.project.id })),
  getRun: projectProcedure("viewer")
    .input(ZRunRef)
    .query(({ ctx, input }) => getCircleRun(ctx.db, { ...input, projectId: ctx.project.id })),
  postMessage: projectProcedure("member")
    .input(ZPostCircleMessageInput)
    .mutation(({ ctx, input }) => postCircleMessage(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id })),
  pauseRun: projectProcedure("member")
    .input(ZRunRef)
    .mutation(({ ctx, input }) => pauseCircleRun(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id })),
  resumeRun: projectProcedure("member")
    .input(ZRunRef)
    .mutation(({ ctx, input }) => resumeCircleRun(ctx.db, queueOf(ctx.services), ctx.actor, { ...input, projectId: ctx.project.id })),
  cancelRun: projectProcedure("member")
    .input(ZRunRef)
    .mutation(({ ctx, input }) => cancelCircleRun(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id })),
});
