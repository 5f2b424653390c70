/** What a page shows while it waits, when there is nothing yet, and when the API refused or failed. */
import type { ReactNode } from "react";
import { type ApiError, appCodeOf, errorMessage } from "~/trpc/errors";

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state state-loading" aria-busy="true">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children ? <p className="muted">{children}</p> : null}
    </div>
  );
}

const refusalTitles: Record<string, string> = {
  FORBIDDEN: "You do not have access to this",
  NOT_FOUND: "Not found",
  UNAUTHORIZED: "Your session has ended",
  TOO_MANY_REQUESTS: "Slow down",
};

/** The API's own words: for a refusal (such as a missing role) they say what is needed. */
export function ErrorState({ error, title, onRetry }: { error: ApiError; title?: string; onRetry?: () => void }) {
  const code = appCodeOf(error);
  const heading = title ?? (code && refusalTitles[code]) ?? "Something went wrong";
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{heading}</p>
      <p>{errorMessage(error)}</p>
      {code === "UNAUTHORIZED" ? (
        <a href="/sign-in">Sign in again</a>
      ) : onRetry && code !== "FORBIDDEN" ? (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A mutation's failure, next to the form or row it belongs to. */
export function InlineError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="inline-error" role="alert">
      {message}
    </p>
  );
}
