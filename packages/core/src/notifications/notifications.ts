/**
 * In-app notifications: the bell. One row per recipient with its read state; `notifications.changed`
 * names the user whose list changed, so their bell refetches its unread count live.
 */
import {
  countUnreadNotifications,
  type DbExecutor,
  insertMemberNotifications,
  listNotificationRows,
  markNotificationRowsRead,
  type NotificationRow,
} from "@gathering/db";
import { z } from "zod";
import { publishEvent, publishEvents } from "../events/catalog";
import { decodeCursor, toPage, ZListSearch, ZPageCursor } from "../pagination";

export const notificationLevels = ["info", "success", "warning", "error"] as const;
export type NotificationLevel = (typeof notificationLevels)[number];

export const ZListNotificationsInput = z.object({
  /** Only the unread ones, or only those read; both without it. */
  readState: z.enum(["unread", "read"]).optional(),
  /** Part of the title or the text. */
  search: ZListSearch.optional(),
  limit: z.number().int().min(1).max(100).default(30),
  cursor: ZPageCursor.optional(),
});

export const ZMarkNotificationsReadInput = z.object({
  /** Without ids: every unread notification of the caller in the project. */
  notificationIds: z.array(z.uuid()).min(1).max(200).optional(),
});

export function toNotification(row: NotificationRow) {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    level: row.level as NotificationLevel,
    link: row.link,
    fireId: row.fireId,
    isRead: row.readAt !== null,
    readAt: row.readAt,
    createdAt: row.createdAt,
  };
}
export type Notification = ReturnType<typeof toNotification>;

export async function listNotifications(
  db: DbExecutor,
  input: { projectId: string; userId: string } & z.input<typeof ZListNotificationsInput>,
) {
  const options = ZListNotificationsInput.parse(input);
  const cursor = decodeCursor(options.cursor);
  const rows = await listNotificationRows(db, {
    projectId: input.projectId,
    userId: input.userId,
    limit: options.limit + 1,
    ...(options.readState ? { readState: options.readState } : {}),
    ...(options.search ? { search: options.search } : {}),
    ...(cursor ? { cursor } : {}),
  });
  return toPage(rows, options.limit, toNotification);
}

export async function countUnread(db: DbExecutor, input: { projectId: string; userId: string }): Promise<{ count: number }> {
  return { count: await countUnreadNotifications(db, input) };
}

export async function markNotificationsRead(
  db: DbExecutor,
  input: { projectId: string; userId: string } & z.input<typeof ZMarkNotificationsReadInput>,
): Promise<{ marked: number }> {
  const parsed = ZMarkNotificationsReadInput.parse(input);
  const marked = await markNotificationRowsRead(db, {
    projectId: input.projectId,
    userId: input.userId,
    ...(parsed.notificationIds ? { notificationIds: parsed.notificationIds } : {}),
  });
  if (marked > 0) await publishEvent(db, input.projectId, "notifications.changed", { userId: input.userId, change: "read" });
  return { marked };
}

/**
 * Writes a fire's notification for its recipients (the listed users, or every member) in the caller's
 * transaction; a repeat for the same fire adds nothing. Returns how many were new.
 */
export async function deliverInAppNotifications(
  tx: DbExecutor,
  input: {
    projectId: string;
    fireId: string;
    userIds?: readonly string[];
    title: string;
    body: string;
    level: NotificationLevel;
    link: string | null;
  },
): Promise<number> {
  // Someone who left the project since the schedule was written is not notified (the insert reads members).
  const notified = await insertMemberNotifications(tx, input);
  await publishEvents(
    tx,
    input.projectId,
    "notifications.changed",
    notified.map((userId) => ({ userId, change: "created" as const })),
  );
  return notified.length;
}
