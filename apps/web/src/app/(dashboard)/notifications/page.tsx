/** /notifications: the signed-in user's in-app notifications in the current project. */
import type { Metadata } from "next";
import { NotificationsView } from "~/components/notifications/notifications-view";
import { HydrateClient, prefetchForProject } from "~/server/prefetch";
import { notificationsPageInput } from "~/trpc/page-queries";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  await prefetchForProject((trpc, project) => [
    trpc.notifications.list.queryOptions(notificationsPageInput(project.id, "unread")),
    trpc.notifications.list.queryOptions(notificationsPageInput(project.id, "read")),
  ]);
  return (
    <HydrateClient>
      <header className="page-header">
        <h1>Notifications</h1>
        <p className="muted">What schedules told you. The bell in the sidebar counts the unread ones.</p>
      </header>
      <NotificationsView />
    </HydrateClient>
  );
}
