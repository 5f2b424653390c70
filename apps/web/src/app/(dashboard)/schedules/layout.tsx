/** The schedule pages share their notices (saved, fired, paused, refused). */
import type { ReactNode } from "react";
import { Toaster } from "~/components/pipelines/toasts";

export default function SchedulesLayout({ children }: { children: ReactNode }) {
  return (
    <>
      {children}
      <Toaster />
    </>
  );
}
