/** Query functions for in-app notifications (one row per recipient). */
import { and, count, desc, eq, ilike, inArray, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { notifications } from "../schema";
import { containsPattern } from "./search";

export type NotificationRow = typeof notifications.$inferSelect;

/** Inserts notifications; a second one for the same (fire, user) is dropped, so a retried fire notifies once. */
export async function insertNotifications(
  db: DbExecutor,
  values: ReadonlyArray<typeof notifications.$inferInsert>,
): Promise<NotificationRow[]> {
  if (values.length === 0) return [];
  return db
    .insert(notifications)
    .values([...values])
    .onConflictDoNothing()
    .returning();
}

/**
 * A fire's notification for the project's members (all of them, or those of `userIds` still members)
 * in one statement; a second one for the same (fire, user) is dropped. Returns the new rows' users.
 */
export async function insertMemberNotifications(
  db: DbExecutor,
  params: {
    projectId: string;
    fireId: string;
    userIds?: readonly string[];
    title: string;
    body: string;
    level: string;
    link: string | null;
  },
): Promise<string[]> {
  const onlyUsers = params.userIds
    ? sql`and m.user_id in (select value::uuid from json_array_elements_text(${JSON.stringify(params.userIds)}::json))`
    : sql``;
  const rows = await db.execute<{ user_id: string }>(sql`
    insert into notifications (project_id, user_id, title, body, level, link, fire_id)
    select m.project_id, m.user_id, ${params.title}, ${params.body}, ${params.level}, ${params.link}, ${params.fireId}::uuid
    from project_members m
    where m.project_id = ${params.projectId} ${onlyUsers}
    order by m.created_at
    on conflict do nothing
    returning user_id`);
  return rows.map((row) => row.user_id);
}

export async function listNotificationRows(
  db: DbExecutor,
  params: {
    projectId: string;
    userId: string;
    limit: number;
    readState?: "unread" | "read";
    search?: string;
    cursor?: { createdAt: Date; id: string };
  },
): Promise<NotificationRow[]> {
  const conditions: SQL[] = [eq(notifications.projectId, params.projectId), eq(notifications.userId, params.userId)];
  if (params.readState === "unread") conditions.push(isNull(notifications.readAt));
  if (params.readState === "read") conditions.push(isNotNull(notifications.readAt));
  if (params.search) {
    const pattern = containsPattern(params.search);
    const matches = or(ilike(notifications.title, pattern), ilike(notifications.body, pattern));
    if (matches) conditions.push(matches);
  }
  if (params.cursor) {
    const before = or(
      lt(notifications.createdAt, params.cursor.createdAt),
      and(eq(notifications.createdAt, params.cursor.createdAt), lt(notifications.id, params.cursor.id)),
    );
    if (before) conditions.push(before);
  }
  return db
    .select()
    .from(notifications)
    .where(and(...conditions))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(params.limit);
}

export async function countUnreadNotifications(db: DbExecutor, params: { projectId: string; userId: string }): Promise<number> {
  const [row] = await db
    .select({ count: count() })
    .from(notifications)
    .where(and(eq(notifications.projectId, params.projectId), eq(notifications.userId, params.userId), isNull(notifications.readAt)));
  return row?.count ?? 0;
}

/** Marks the given notifications (or, without ids, all of them) of one user in one project read. */
export async function markNotificationRowsRead(
  db: DbExecutor,
  params: { projectId: string; userId: string; notificationIds?: readonly string[] },
): Promise<number> {
  const conditions: SQL[] = [
    eq(notifications.projectId, params.projectId),
    eq(notifications.userId, params.userId),
    isNull(notifications.readAt),
  ];
  if (params.notificationIds) conditions.push(inArray(notifications.id, [...params.notificationIds]));
  const rows = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(...conditions))
    .returning({ id: notifications.id });
  return rows.length;
}
