/**
 * Prometheus metrics at /api/metrics, behind GATHERING_METRICS_TOKEN: procedure durations and outcomes,
 * the job queue's depth, live workers, the event hub (durable and ephemeral events), and Node's own
 * figures. One registry per process, kept on globalThis because the Next.js bundle and the CLI's server
 * each load this module.
 */
import { constantTimeEqual } from "@gathering/core";
import { listLiveWorkers } from "@gathering/db";
import { sql } from "drizzle-orm";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { serverEnv } from "./env";
import type { WebServices } from "./services";

interface Metrics {
  registry: Registry;
  procedureDuration: Histogram<"procedure" | "type" | "outcome">;
}

const globalForMetrics = globalThis as typeof globalThis & { __gatheringMetrics?: Metrics };

export function metrics(services: () => WebServices): Metrics {
  if (globalForMetrics.__gatheringMetrics) return globalForMetrics.__gatheringMetrics;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "gathering_node_" });
  const procedureDuration = new Histogram({
    name: "gathering_procedure_duration_seconds",
    help: "API procedure duration by procedure, type and outcome (ok or the error code)",
    labelNames: ["procedure", "type", "outcome"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  new Gauge({
    name: "gathering_job_queue_depth",
    help: "Jobs in the queue by state",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      const rows = await services().database.db.execute<{ state: string; count: number }>(sql`
        select case when locked_at is not null then 'running'
                    when attempts >= max_attempts then 'failed'
                    when run_at > now() then 'scheduled'
                    else 'ready' end as state,
               count(*)::int as count
        from graphile_worker.jobs group by 1`);
      this.reset();
      for (const state of ["ready", "scheduled", "running", "failed"]) this.set({ state }, 0);
      for (const row of rows) this.set({ state: row.state }, row.count);
    },
  });
  new Gauge({
    name: "gathering_workers_live",
    help: "Worker processes with a fresh heartbeat",
    registers: [registry],
    async collect() {
      this.set((await listLiveWorkers(services().database.db, 15)).length);
    },
  });
  new Gauge({
    name: "gathering_event_subscribers",
    help: "Open event subscriptions in this process",
    registers: [registry],
    collect() {
      this.set(services().api.eventHub.stats.subscribers);
    },
  });
  new Counter({
    name: "gathering_events_delivered_total",
    help: "Durable events read and fanned out by this process",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(services().api.eventHub.stats.delivered);
    },
  });
  new Counter({
    name: "gathering_event_table_fallbacks_total",
    help: "Times a slow subscriber fell out of the buffer and re-read events from the table",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(services().api.eventHub.stats.tableFallbacks);
    },
  });
  // Ephemeral events (token deltas, progress): NOTIFY only, so these are the only record of what happened to them.
  const eventBusCounter = (name: string, help: string, read: (stats: WebServices["api"]["eventHub"]["stats"]) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(services().api.eventHub.stats));
      },
    });
  eventBusCounter(
    "gathering_event_bus_ephemeral_received_total",
    "Ephemeral events received by this process (duplicates excluded)",
    (stats) => stats.ephemeralReceived,
  );
  eventBusCounter(
    "gathering_event_bus_duplicates_total",
    "Ephemeral events received a second time (a retried batch) and not delivered again",
    (stats) => stats.ephemeralDuplicates,
  );
  eventBusCounter(
    "gathering_event_bus_coalesced_total",
    "Ephemeral events merged into one already waiting because a subscriber's buffer was full",
    (stats) => stats.ephemeralCoalesced,
  );
  eventBusCounter(
    "gathering_event_bus_dropped_total",
    "Ephemeral events dropped (the oldest waiting) because a subscriber stopped reading and its buffer was full",
    (stats) => stats.ephemeralDropped,
  );
  globalForMetrics.__gatheringMetrics = { registry, procedureDuration };
  return globalForMetrics.__gatheringMetrics;
}

export async function handleMetricsRequest(request: Request, services: () => WebServices): Promise<Response> {
  const token = serverEnv().GATHERING_METRICS_TOKEN;
  if (!token) return Response.json({ error: { message: "Metrics are off; set GATHERING_METRICS_TOKEN to turn them on" } }, { status: 404 });
  const presented = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
  if (!constantTimeEqual(presented, token)) {
    return Response.json(
      { error: { message: "Send Authorization: Bearer <GATHERING_METRICS_TOKEN>" } },
      { status: 401, headers: { "www-authenticate": "Bearer" } },
    );
  }
  const { registry } = metrics(services);
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
}
