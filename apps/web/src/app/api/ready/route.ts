/** Readiness: database reachable, migrations current, a worker heartbeat fresh. 503 names what is down. */
import { checkReadiness } from "@gathering/core";
import { webServices } from "@gathering/server";

export const dynamic = "force-dynamic";

export async function GET() {
  const readiness = await checkReadiness(webServices().database);
  return Response.json(
    { status: readiness.isReady ? "ready" : "unavailable", checks: readiness.checks },
    { status: readiness.isReady ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
