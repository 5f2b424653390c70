"use client";
/** A dashboard page that failed to render: the message inside the shell, which keeps working around it. */
import { RouteError } from "~/components/route-error";

export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError error={error} retry={retry} />;
}
