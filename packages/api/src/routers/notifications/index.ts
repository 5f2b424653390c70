/** notifications.*: the caller's in-app notifications in a project (the bell); `notifications.changed` says when to refetch. */
import {
  countUnread,
  listNotifications,
  markNotificationsRead,
  ZListNotificationsInput,
  ZMarkNotificationsReadInput,
} from "@gathering/core";
import { createTRPCRouter, projectProcedure } from "../../trpc";

export const notificationsRouter = createTRPCRouter({
  list: projectProcedure("viewer")
    .input(ZListNotificationsInput.default({ limit: 30 }))
    .query(({ ctx, input }) => listNotifications(ctx.db, { ...input, projectId: ctx.project.id, userId: ctx.actor.userId })),
  unreadCount: projectProcedure("viewer").query(({ ctx }) => countUnread(ctx.db, { projectId: ctx.project.id, userId: ctx.actor.userId })),
  // The caller's own read state only (scoped to their user id below), so a viewer may mark theirs read.
  markRead: projectProcedure("viewer")
    .meta({ isPersonal: true })
    .input(ZMarkNotificationsReadInput)
    .mutation(({ ctx, input }) => markNotificationsRead(ctx.db, { ...input, projectId: ctx.project.id, userId: ctx.actor.userId })),
});
