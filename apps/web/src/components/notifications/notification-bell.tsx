"use client";
/** The bell in the sidebar: the caller's unread notifications in the current project, live, linking to /notifications. */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useCurrentProject } from "~/components/current-project";
import { useTRPC } from "~/trpc/react";
import styles from "./notifications.module.css";
import { useLiveNotifications } from "./use-live-notifications";

export function NotificationBell({ userId }: { userId: string }) {
  const { project } = useCurrentProject();
  if (!project) return null;
  return <ProjectBell key={project.id} projectId={project.id} userId={userId} />;
}

function ProjectBell({ projectId, userId }: { projectId: string; userId: string }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  useLiveNotifications(projectId, userId);
  const unread = useQuery(trpc.notifications.unreadCount.queryOptions({ projectId }));
  const count = unread.data?.count ?? 0;
  const label = unread.data ? `Notifications, ${count} unread` : "Notifications";
  return (
    <Link
      href="/notifications"
      className={styles.bell}
      aria-label={label}
      aria-current={pathname === "/notifications" ? "page" : undefined}
      data-testid="notification-bell"
    >
      <span className={styles.bellLabel}>
        <svg className={styles.bellIcon} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>
        Notifications
      </span>{" "}
      <span className={`${styles.count} ${count === 0 ? styles.countZero : ""}`} data-testid="notification-count" aria-hidden="true">
        {/* Nothing until the count is known, so the link never shows a number its name does not say. */}
        {unread.isError ? "!" : unread.data ? (count > 99 ? "99+" : count) : ""}
      </span>
    </Link>
  );
}
