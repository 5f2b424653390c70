/** The pipeline pages share their notices (saved, started, refused). */
import type { ReactNode } from "react";
import { Toaster } from "~/components/pipelines/toasts";

export default function PipelinesLayout({ children }: { children: ReactNode }) {
  return (
    <>
      {children}
      <Toaster />
    </>
  );
}
