"use client";
/**
 * /notifications: the caller's in-app notifications in the project, unread first (the unread ones
 * on their own above the read ones), searched and paged on the server, each marked read one by one or all
 * at once. Live from `notifications.changed`, as the bell is.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { EmptyState, InlineError } from "~/components/feedback";
import { formatDateTime, hasRole } from "~/components/format";
import { toast } from "~/components/pipelines/toasts";
import { ListToolbar, PagedItems, usePagedList, useSettledValue } from "~/components/ui/paged-table";
import { errorMessage } from "~/trpc/errors";
import { notificationsPageInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import styles from "./notifications.module.css";

type Notification = RouterOutputs["notifications"]["list"]["items"][number];

export function NotificationsView() {
  return <ProjectScope>{(project) => <ProjectNotifications project={project} />}</ProjectScope>;
}

function ProjectNotifications({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const [searchText, setSearchText] = useState("");
  const search = useSettledValue(searchText.trim());
  // Unread ones first, then the read ones, newest first in each; both searched and paged on the server.
  const unread = usePagedList<Notification>(
    search,
    (cursor) => trpc.notifications.list.queryOptions(notificationsPageInput(project.id, "unread", search, cursor)),
    (item) => item.id,
  );
  const read = usePagedList<Notification>(
    search,
    (cursor) => trpc.notifications.list.queryOptions(notificationsPageInput(project.id, "read", search, cursor)),
    (item) => item.id,
  );
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
  const isFiltered = search !== "";
  const unreadCount = `${unread.items.length}${unread.hasMore ? "+" : ""}`;

  return (
    <>
      <InlineError message={failure} />
      <ListToolbar searchLabel="Search notifications" placeholder="Search titles and texts" value={searchText} onChange={setSearchText} />
      <section className="section" aria-labelledby="unread-heading">
        <div className="section-header">
          <h2 id="unread-heading">Unread{unread.first?.data ? ` (${unreadCount})` : ""}</h2>
          {canMark && !isFiltered && unread.items.length > 0 ? (
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
        <PagedItems
          list={unread}
          label="Unread notifications"
          listClassName={styles.notificationList}
          noun={{ one: "unread notification", other: "unread notifications" }}
          isFiltered={isFiltered}
          filterSummary={`matching “${search}”`}
          empty={<EmptyState title="You are all caught up">New notifications from schedules appear here and on the bell.</EmptyState>}
          emptyFiltered={<EmptyState title="No unread notification matches" />}
          itemKey={(item) => item.id}
          renderItem={(item) => (
            <NotificationItem
              item={item}
              canMark={canMark}
              isMarking={markRead.isPending && markRead.variables?.notificationIds?.includes(item.id) === true}
              onMarkRead={() => markRead.mutate({ projectId: project.id, notificationIds: [item.id] })}
            />
          )}
        />
      </section>
      <section className="section" aria-labelledby="read-heading">
        <h2 id="read-heading">Earlier</h2>
        <PagedItems
          list={read}
          label="Read notifications"
          listClassName={styles.notificationList}
          noun={{ one: "read notification", other: "read notifications" }}
          moreLabel="Load older"
          isFiltered={isFiltered}
          filterSummary={`matching “${search}”`}
          empty={<EmptyState title="Nothing read yet" />}
          emptyFiltered={<EmptyState title="No read notification matches" />}
          itemKey={(item) => item.id}
          renderItem={(item) => <NotificationItem item={item} canMark={false} isMarking={false} onMarkRead={() => undefined} />}
        />
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
