/** The HTTP API as integrators see it: health and readiness probes, the typed SDK, and errors for unknown procedures. */
import { createGatheringClient, type RouterOutputs } from "@gathering/client";
import { expect, test } from "@playwright/test";

type SystemStatusEvent = RouterOutputs["system"]["status"] extends AsyncIterable<infer Event> ? Event : never;

function baseUrlOf(baseURL: string | undefined): string {
  if (!baseURL) throw new Error("the api project needs use.baseURL");
  return baseURL;
}

test("/api/health answers 200 with the version and uptime", async ({ request }) => {
  const response = await request.get("/api/health");

  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/json");
  expect(await response.json()).toEqual({
    status: "ok",
    version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    uptimeSeconds: expect.any(Number),
  });
});

test("/api/ready answers 200 once the database, migrations and a worker are up", async ({ request }) => {
  const response = await request.get("/api/ready");

  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/json");
  // A load balancer must never act on a cached answer.
  expect(response.headers()["cache-control"]).toContain("no-store");
  expect(await response.json()).toEqual({
    status: "ready",
    checks: {
      database: { isOk: true, detail: expect.any(String) },
      migrations: { isOk: true, detail: expect.any(String) },
      worker: { isOk: true, detail: expect.stringMatching(/^[1-9]\d* live$/) },
    },
  });
});

test("system.info through the SDK reports the version, the embedded database and running workers", async ({ baseURL }) => {
  const gathering = createGatheringClient({ url: baseUrlOf(baseURL) });

  const info = await gathering.system.info.query();

  expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(info.database.kind).toBe("embedded");
  expect(info.database.version).toMatch(/^\d+(\.\d+)*/);
  expect(info.database.versionNumber).toBeGreaterThanOrEqual(140_000);
  expect(info.workers.status).toBe("running");
  expect(info.workers.live).toBeGreaterThanOrEqual(1);
  // superjson brings dates back as Date objects, not strings.
  expect(info.workers.lastSeenAt).toBeInstanceOf(Date);
});

test("system.status through the SDK delivers live events over SSE until unsubscribed", async ({ baseURL }) => {
  const gathering = createGatheringClient({ url: baseUrlOf(baseURL) });

  const event = await new Promise<SystemStatusEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error("no system.status event within 10 s"));
    }, 10_000);
    const subscription = gathering.system.status.subscribe(
      { intervalMs: 1_000 },
      {
        onData: (data) => {
          clearTimeout(timer);
          // Unsubscribing closes the event stream; a stream left open would hold up the server's shutdown.
          subscription.unsubscribe();
          resolve(data);
        },
        onError: (error) => {
          clearTimeout(timer);
          subscription.unsubscribe();
          reject(error);
        },
      },
    );
  });

  expect(event.workers.status).toBe("running");
  expect(event.workers.live).toBeGreaterThanOrEqual(1);
  expect(event.at).toBeInstanceOf(Date);
});

test("an unknown procedure answers 404 with a JSON error and no stack trace", async ({ baseURL }) => {
  const response = await fetch(`${baseUrlOf(baseURL)}/api/trpc/system.doesNotExist`);

  expect(response.status).toBe(404);
  expect(response.headers.get("content-type")).toContain("application/json");
  const text = await response.text();
  const body = JSON.parse(text) as { error: { json: { message: string; data: Record<string, unknown> } } };
  expect(body.error.json.message).toContain("system.doesNotExist");
  expect(body.error.json.data).toMatchObject({ code: "NOT_FOUND", httpStatus: 404, appCode: "NOT_FOUND" });
  expect(body.error.json.data).not.toHaveProperty("stack");
  // Stack frames look like "at fn (file:line:col)"; none may leak anywhere in the body.
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toContain("node_modules");
});
