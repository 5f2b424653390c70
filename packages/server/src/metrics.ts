/**
 * Prometheus metrics at /api/metrics, behind GATHERING_METRICS_TOKEN: procedure durations and outcomes,
 * the job queue's depth and latency, live workers, model tokens, cost and circuit breakers, the event hub (durable and ephemeral events), and Node's own
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
    name: "gathering_job_queue_oldest_ready_seconds",
    help: "How long the oldest job that is ready to run has waited (0 when none waits): the queue's latency",
    registers: [registry],
    async collect() {
      const [row] = await services().database.db.execute<{ seconds: number | null }>(sql`
        select extract(epoch from now() - min(run_at))::float8 as seconds
        from graphile_worker.jobs
        where locked_at is null and attempts < max_attempts and run_at <= now()`);
      this.set(Math.max(0, row?.seconds ?? 0));
    },
  });
  const modelWindow = sql`now() - interval '24 hours'`;
  new Gauge({
    name: "gathering_model_tokens_24h",
    help: "Model tokens in the last 24 hours, by provider, model and direction (from the usage ledger, all instances)",
    labelNames: ["provider", "model", "direction"] as const,
    registers: [registry],
    async collect() {
      const rows = await services().database.db.execute<{ provider: string; model: string; input: number; output: number }>(sql`
        select provider, model, coalesce(sum(input_tokens), 0)::float8 as input, coalesce(sum(output_tokens), 0)::float8 as output
        from model_calls where created_at >= ${modelWindow} group by provider, model`);
      this.reset();
      for (const row of rows) {
        this.set({ provider: row.provider, model: row.model, direction: "input" }, row.input);
        this.set({ provider: row.provider, model: row.model, direction: "output" }, row.output);
      }
    },
  });
  new Gauge({
    name: "gathering_model_cost_usd_24h",
    help: "Model cost in US dollars in the last 24 hours, by provider and model (from the usage ledger)",
    labelNames: ["provider", "model"] as const,
    registers: [registry],
    async collect() {
      const rows = await services().database.db.execute<{ provider: string; model: string; micros: number }>(sql`
        select provider, model, coalesce(sum(cost_micros), 0)::float8 as micros
        from model_calls where created_at >= ${modelWindow} group by provider, model`);
      this.reset();
      for (const row of rows) this.set({ provider: row.provider, model: row.model }, row.micros / 1_000_000);
    },
  });
  new Gauge({
    name: "gathering_model_calls_24h",
    help: "Model calls in the last 24 hours by provider, model and status (ok, error, aborted)",
    labelNames: ["provider", "model", "status"] as const,
    registers: [registry],
    async collect() {
      const rows = await services().database.db.execute<{ provider: string; model: string; status: string; count: number }>(sql`
        select provider, model, status, count(*)::int as count
        from model_calls where created_at >= ${modelWindow} group by provider, model, status`);
      this.reset();
      for (const row of rows) this.set({ provider: row.provider, model: row.model, status: row.status }, row.count);
    },
  });
  new Gauge({
    name: "gathering_model_circuit_state",
    help: "This process's circuit breaker per provider:model: 0 closed, 1 half-open, 2 open",
    labelNames: ["breaker"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const values = { closed: 0, half_open: 1, open: 2 } as const;
      for (const breaker of services().api.modelGateway.breakerStates()) this.set({ breaker: breaker.key }, values[breaker.state]);
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
