/** tasks.*: background work for an agent, run on the worker; progress arrives as `tasks.changed` events. */
import { cancelTask, getTask, listTasks, submitTask, ZListTasksInput, ZTaskInput } from "@gathering/core";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../trpc";

export const tasksRouter = createTRPCRouter({
  submit: projectProcedure("member")
    .input(z.object({ agentId: z.uuid(), input: ZTaskInput }))
    .mutation(({ ctx, input }) =>
      submitTask(
        ctx.db,
        ctx.actor,
        { projectId: ctx.project.id, agentId: input.agentId, input: input.input, origin: { kind: "user" } },
        ctx.services.scheduleTask,
      ),
    ),
  get: projectProcedure("viewer")
    .input(z.object({ taskId: z.uuid() }))
    .query(({ ctx, input }) => getTask(ctx.db, { projectId: ctx.project.id, taskId: input.taskId })),
  list: projectProcedure("viewer")
    .input(ZListTasksInput.default({ limit: 50 }))
    .query(({ ctx, input }) => listTasks(ctx.db, { ...input, projectId: ctx.project.id })),
  cancel: projectProcedure("member")
    .input(z.object({ taskId: z.uuid() }))
    .mutation(({ ctx, input }) => cancelTask(ctx.db, ctx.actor, { projectId: ctx.project.id, taskId: input.taskId })),
});
