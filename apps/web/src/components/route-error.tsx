"use client";
/**
 * What a page shows when rendering it failed (a server component threw, the database was unreachable):
 * a heading, the error's reference for the server logs, and a retry that renders the segment again
 * from the server. Used by the route error boundaries (app/error.tsx, app/(dashboard)/error.tsx).
 */
import Link from "next/link";
import { useEffect } from "react";

export function RouteError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    // The browser console is the only place a client-side render error leaves a trace.
    console.error(error);
  }, [error]);
  // A server component's error reaches the browser without its message (it could leak details), only a digest.
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <section className="panel" role="alert" aria-labelledby="route-error-title">
      <h1 id="route-error-title">This page could not be shown</h1>
      <p className="muted">
        Something failed while the page was prepared. Your data is unchanged; trying again usually helps, and if it keeps failing the server
        log has the details.
      </p>
      {digest ? (
        <p className="muted">
          Reference for the server log: <code>{digest}</code>
        </p>
      ) : null}
      <p>
        <button type="button" className="button" onClick={() => retry()}>
          Try again
        </button>{" "}
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
