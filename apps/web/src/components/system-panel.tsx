"use client";
/** The installation at a glance: version, database, workers (system.info). */
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { formatTime } from "./format";

export function SystemPanel() {
  const trpc = useTRPC();
  const info = useQuery(trpc.system.info.queryOptions(undefined, { refetchInterval: 15_000 }));

  if (info.isPending)
    return (
      <section className="panel" aria-busy="true">
        Loading system information…
      </section>
    );
  if (info.isError) {
    return (
      <section className="panel panel-error" role="alert">
        Could not load system information: {info.error.message}
      </section>
    );
  }
  const { version, database, workers } = info.data;
  return (
    <section className="grid" aria-label="System">
      <article className="panel">
        <h2>Version</h2>
        <p className="stat" data-testid="version">
          {version}
        </p>
      </article>
      <article className="panel">
        <h2>Database</h2>
        <p className="stat" data-testid="database">
          PostgreSQL {database.version}
        </p>
        <p className="muted">{database.kind === "embedded" ? "Embedded server in the data directory" : "External server (DATABASE_URL)"}</p>
      </article>
      <article className="panel">
        <h2>Workers</h2>
        <p className="stat" data-testid="workers">
          {workers.live} live
        </p>
        <p className="muted">{workers.lastSeenAt ? `Last heartbeat ${formatTime(workers.lastSeenAt)}` : "No heartbeat yet"}</p>
      </article>
    </section>
  );
}
