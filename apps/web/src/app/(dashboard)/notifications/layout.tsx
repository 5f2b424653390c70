/** The notifications page shows its notices (marked as read, refused). */
import type { ReactNode } from "react";
import { Toaster } from "~/components/pipelines/toasts";

export default function NotificationsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      {children}
      <Toaster />
    </>
  );
}
