/** /api/metrics: Prometheus text behind its token, with the API, queue, worker and event figures. */
import { expect, test } from "@playwright/test";
import { METRICS_TOKEN } from "../support/metrics";

test("metrics need the token, then show procedure timings, the job queue, live workers and the event hub", async ({ request }) => {
  expect((await request.get("/api/metrics")).status()).toBe(401);
  expect((await request.get("/api/metrics", { headers: { authorization: "Bearer wrong-token-0123456789" } })).status()).toBe(401);

  // Make sure at least one procedure has been timed.
  expect((await request.get("/api/trpc/system.info")).status()).toBe(200);
  const response = await request.get("/api/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("text/plain");
  const text = await response.text();
  expect(text).toMatch(/gathering_procedure_duration_seconds_count\{procedure="system\.info",type="query",outcome="ok"\} [1-9]/);
  expect(text).toMatch(/gathering_job_queue_depth\{state="ready"\} \d+/);
  expect(text).toMatch(/gathering_workers_live [1-9]/);
  expect(text).toMatch(/gathering_event_subscribers \d+/);
  expect(text).toContain("gathering_node_process_resident_memory_bytes");
  expect(text).toMatch(/gathering_job_queue_oldest_ready_seconds \d/);
  for (const name of [
    "gathering_model_tokens_24h",
    "gathering_model_cost_usd_24h",
    "gathering_model_calls_24h",
    "gathering_model_circuit_state",
  ]) {
    expect(text).toContain(`# TYPE ${name} gauge`);
  }
});
