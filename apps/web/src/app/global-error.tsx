"use client";
/**
 * The root layout itself failed: this replaces the whole document, without the app's stylesheets, so the
 * little styling it needs is inline (the dark theme's colours, see globals.css).
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <html lang="en">
      <body style={{ background: "#07080f", color: "#e6e8f2", fontFamily: "system-ui, sans-serif", margin: 0, padding: "3rem" }}>
        <title>Something went wrong · GatheRing</title>
        <main role="alert">
          <h1>GatheRing could not show this page</h1>
          <p>Your data is unchanged. Try again; if it keeps failing, the server log has the details.</p>
          {digest ? (
            <p>
              Reference for the server log: <code>{digest}</code>
            </p>
          ) : null}
          <button type="button" onClick={() => retry()} style={{ padding: "0.5rem 1rem", cursor: "pointer" }}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
