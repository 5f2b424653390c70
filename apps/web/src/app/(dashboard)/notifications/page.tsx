/** /notifications: the signed-in user's in-app notifications in the current project. */
import type { Metadata } from "next";
import { NotificationsView } from "~/components/notifications/notifications-view";

export const metadata: Metadata = { title: "Notifications" };

export default function NotificationsPage() {
  return (
    <>
      <header className="page-header">
        <h1>Notifications</h1>
        <p className="muted">What schedules told you. The bell in the sidebar counts the unread ones.</p>
      </header>
      <NotificationsView />
    </>
  );
}
