/**
 * schedules.*: cron schedules with one action each, their fire history, a preview of the next fire
 * times and a manual run. Live changes arrive as `schedules.changed` and `schedule_fires.changed`.
 */
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listScheduleHistory,
  listSchedules,
  listUpcomingSchedules,
  previewFireTimes,
  revealWebhookSecret,
  runScheduleNow,
  setSchedulePaused,
  updateSchedule,
  ZCreateScheduleInput,
  ZListSchedulesInput,
  ZPreviewInput,
  ZScheduleHistoryInput,
  ZUpcomingSchedulesInput,
  ZUpdateScheduleInput,
} from "@gathering/core";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../trpc";

const ZScheduleRef = z.object({ scheduleId: z.uuid() });

export const schedulesRouter = createTRPCRouter({
  create: projectProcedure("member")
    .input(ZCreateScheduleInput)
    .mutation(({ ctx, input }) =>
      createSchedule(ctx.db, { queue: ctx.services.scheduleQueue, keyring: ctx.services.keyring }, ctx.actor, {
        ...input,
        projectId: ctx.project.id,
      }),
    ),
  update: projectProcedure("member")
    .input(ZUpdateScheduleInput)
    .mutation(({ ctx, input }) =>
      updateSchedule(ctx.db, { queue: ctx.services.scheduleQueue, keyring: ctx.services.keyring }, ctx.actor, {
        ...input,
        projectId: ctx.project.id,
      }),
    ),
  pause: projectProcedure("member")
    .input(ZScheduleRef)
    .mutation(({ ctx, input }) =>
      setSchedulePaused(ctx.db, { queue: ctx.services.scheduleQueue, keyring: ctx.services.keyring }, ctx.actor, {
        ...input,
        projectId: ctx.project.id,
        isPaused: true,
      }),
    ),
  resume: projectProcedure("member")
    .input(ZScheduleRef)
    .mutation(({ ctx, input }) =>
      setSchedulePaused(ctx.db, { queue: ctx.services.scheduleQueue, keyring: ctx.services.keyring }, ctx.actor, {
        ...input,
        projectId: ctx.project.id,
        isPaused: false,
      }),
    ),
  delete: projectProcedure("member")
    .input(ZScheduleRef)
    .mutation(({ ctx, input }) => deleteSchedule(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id })),
  list: projectProcedure("viewer")
    .input(ZListSchedulesInput.default({ limit: 100 }))
    .query(({ ctx, input }) => listSchedules(ctx.db, { ...input, projectId: ctx.project.id })),
  /** The unpaused schedules that fire next, soonest first (the overview's "due next"). */
  upcoming: projectProcedure("viewer")
    .input(ZUpcomingSchedulesInput.default({ limit: 5 }))
    .query(({ ctx, input }) => listUpcomingSchedules(ctx.db, { ...input, projectId: ctx.project.id })),
  get: projectProcedure("viewer")
    .input(ZScheduleRef)
    .query(({ ctx, input }) => getSchedule(ctx.db, { ...input, projectId: ctx.project.id })),
  /** The next fire times of an expression in a time zone, saved or not (the form's preview). */
  preview: projectProcedure("viewer")
    .input(ZPreviewInput)
    .query(({ input }) => previewFireTimes(input)),
  runNow: projectProcedure("member")
    .input(ZScheduleRef)
    .mutation(({ ctx, input }) =>
      runScheduleNow(ctx.db, { queue: ctx.services.scheduleQueue }, ctx.actor, { ...input, projectId: ctx.project.id }),
    ),
  history: projectProcedure("viewer")
    .input(ZScheduleHistoryInput)
    .query(({ ctx, input }) => listScheduleHistory(ctx.db, { ...input, projectId: ctx.project.id })),
  /** The webhook signing secret, for members setting up the receiver. */
  webhookSecret: projectProcedure("member")
    .input(ZScheduleRef)
    .query(({ ctx, input }) => revealWebhookSecret(ctx.db, ctx.services.keyring, { ...input, projectId: ctx.project.id })),
});
