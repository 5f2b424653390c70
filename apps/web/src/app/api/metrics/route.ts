/** Prometheus metrics, behind GATHERING_METRICS_TOKEN. */
import { handleMetricsRequest, webServices } from "@gathering/server";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handleMetricsRequest(request, webServices);
}
