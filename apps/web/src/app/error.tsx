"use client";
/** Any page that failed to render outside the dashboard shell, or the shell itself (its layout asks the API for the account). */
import { RouteError } from "~/components/route-error";

export default function AppError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main className="route-error-page">
      <RouteError error={error} retry={retry} />
    </main>
  );
}
