/** Liveness: the process is up and serving. Says nothing about its dependencies (see /api/ready). */
import { GATHERING_VERSION } from "@gathering/core";
import { serverEnv } from "@gathering/server";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  // Test hook: lets lifecycle tests hold a request in flight across a shutdown.
  const delayMs = Number(new URL(request.url).searchParams.get("delayMs") ?? 0);
  if (serverEnv().GATHERING_TEST_HOOKS === "1" && delayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, 30_000)));
  }
  return Response.json({ status: "ok", version: GATHERING_VERSION, uptimeSeconds: Math.round(process.uptime()) });
}
