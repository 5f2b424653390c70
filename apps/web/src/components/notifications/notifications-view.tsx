"use client";
/**
 * /notifications: the caller's in-app notifications in the project, unread first (the unread ones
 * on their own above the rest), each marked read one by one or all at once. Live from
 * `notifications.changed`, as the bell is.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { toast } from "~/components/pipelines/toasts";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./notifications.module.css";

type Notification = RouterOutputs["notifications"]["list"]["items"][number];

const PAGE_SIZE = 30;

export function NotificationsView() {
  return <ProjectScope>{(project) => <ProjectNotifications project={project} />}</ProjectScope>;
}

function ProjectNotifications({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  // Unread ones first: their own (short) list, then every notification, newest first, without the unread.
  const unread = useQuery(trpc.notifications.list.queryOptions({ projectId: project.id, readState: "unread", limit: 100 }));
  const pages = useQueries({
    queries: cursors.map((cursor) => trpc.notifications.list.queryOptions({ projectId: project.id, limit: PAGE_SIZE, cursor })),
  });
  const firstPage = pages[0];
  const lastPage = pages.at(-1);
  const unreadItems = unread.data?.items ?? [];
  const unreadIds = new Set(unreadItems.map((item) => item.id));
  const readItems = pages.flatMap((page) => page.data?.items ?? []).filter((item) => !unreadIds.has(item.id) && item.isRead);
  const nextCursor = lastPage?.data?.nextCursor ?? null;
  // Read state is the caller's own: every role, viewers too, may mark theirs read.
  const canMark = hasRole(project.role, "viewer");
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async (result, variables) => {
        if (!variables.notificationIds) toast.success(result.marked === 0 ? "Nothing was unread" : `Marked ${result.marked} as read`);
        await queryClient.invalidateQueries({ queryKey: trpc.notifications.list.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.notifications.unreadCount.queryKey() });
      },
      onError: (error) => setFailure(`Could not mark as read: ${errorMessage(error)}`),
    }),
  );

  if (unread.isPending || !firstPage || firstPage.isPending) return <LoadingState label="Loading notifications…" />;
  if (unread.isError) return <ErrorState error={unread.error} onRetry={() => unread.refetch()} />;
  if (firstPage.isError) return <ErrorState error={firstPage.error} onRetry={() => firstPage.refetch()} />;

  return (
    <>
      <InlineError message={failure} />
      <section className="section" aria-labelledby="unread-heading">
        <div className="section-header">
          <h2 id="unread-heading">Unread ({unreadItems.length})</h2>
          {canMark && unreadItems.length > 0 ? (
            <button
              type="button"
              className="button button-secondary"
              disabled={markRead.isPending}
              onClick={() => markRead.mutate({ projectId: project.id })}
            >
              Mark all as read
            </button>
          ) : null}
        </div>
        {unreadItems.length === 0 ? (
          <EmptyState title="You are all caught up">New notifications from schedules appear here and on the bell.</EmptyState>
        ) : (
          <ul className={styles.notificationList} aria-label="Unread notifications">
            {unreadItems.map((item) => (
              <NotificationItem
                key={item.id}
                item={item}
                canMark={canMark}
                isMarking={markRead.isPending && markRead.variables?.notificationIds?.includes(item.id) === true}
                onMarkRead={() => markRead.mutate({ projectId: project.id, notificationIds: [item.id] })}
              />
            ))}
          </ul>
        )}
      </section>
      <section className="section" aria-labelledby="read-heading">
        <h2 id="read-heading">Earlier</h2>
        {readItems.length === 0 ? (
          <EmptyState title="Nothing read yet" />
        ) : (
          <ul className={styles.notificationList} aria-label="Read notifications">
            {readItems.map((item) => (
              <NotificationItem key={item.id} item={item} canMark={false} isMarking={false} onMarkRead={() => undefined} />
            ))}
          </ul>
        )}
        <div className="load-more">
          {lastPage?.isError ? <p className="inline-error">{errorMessage(lastPage.error)}</p> : null}
          {nextCursor !== null ? (
            <button type="button" className="button button-secondary" onClick={() => setCursors([...cursors, nextCursor])}>
              Load older
            </button>
          ) : null}
        </div>
      </section>
    </>
  );
}

function NotificationItem({
  item,
  canMark,
  isMarking,
  onMarkRead,
}: {
  item: Notification;
  canMark: boolean;
  isMarking: boolean;
  onMarkRead: () => void;
}) {
  return (
    <li
      className={`${styles.notification} ${item.isRead ? styles.read : `${styles.unread} ${styles[`level-${item.level}`] ?? ""}`}`}
      data-testid="notification"
      aria-label={`${item.title}${item.isRead ? "" : " (unread)"}`}
    >
      <div>
        <h3>{item.title}</h3>
        {item.body ? <p>{item.body}</p> : null}
        <span className={styles.meta}>
          {formatDateTime(item.createdAt)} · {item.level}
          {item.link ? (
            <>
              {" · "}
              <a href={item.link}>Open</a>
            </>
          ) : null}
        </span>
      </div>
      {canMark && !item.isRead ? (
        <button
          type="button"
          className="button button-ghost button-small"
          aria-label={`Mark as read: “${item.title}”`}
          disabled={isMarking}
          onClick={onMarkRead}
        >
          Mark as read
        </button>
      ) : null}
    </li>
  );
}
