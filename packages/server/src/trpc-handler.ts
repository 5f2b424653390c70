/**
 * The tRPC endpoint as a fetch handler (Request -> Response): JSON-only mutations, the caller resolved
 * from an API token or a live session, a same-origin check for cookie-authenticated writes, and
 * Retry-After on rate-limited answers. Served by the CLI's HTTP server directly (skipping Next.js's
 * request pipeline) and by the Next.js route handler, which stays for `next dev` and standalone use.
 */
import { appRouter, createContext, toTRPCError } from "@gathering/api";
import { type ResolvedCaller, resolveCaller } from "@gathering/auth";
import { AppError, withTraceContextFrom } from "@gathering/core";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { isSameOrigin } from "./origin";
import { webServices } from "./services";

export const TRPC_ENDPOINT = "/api/trpc";

function errorResponse(error: AppError, status: number) {
  return Response.json({ error: { message: error.message, code: error.code } }, { status });
}

export async function handleTrpcRequest(request: Request): Promise<Response> {
  const services = webServices();
  await services.ready;
  const isMutationRequest = request.method === "POST";
  // tRPC mutations carry JSON; refusing other bodies stops form posts from other sites (CSRF).
  if (isMutationRequest && !request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) {
    return errorResponse(new AppError("BAD_REQUEST", "Send mutations as application/json"), 415);
  }
  let caller: ResolvedCaller | null = null;
  let refusal: AppError | null = null;
  try {
    caller = await resolveCaller(request.headers, services.auth);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    refusal = error;
  }
  // A cookie rides along on cross-site requests; a bearer token does not, so only cookies need the check.
  if (isMutationRequest && caller?.source === "session" && !isSameOrigin(request)) {
    refusal = new AppError("FORBIDDEN", "Cross-origin request refused");
  }
  // A client that sends a W3C `traceparent` (an instrumented SDK, a proxy) gets our spans in its trace.
  return withTraceContextFrom(request.headers, () =>
    fetchRequestHandler({
      endpoint: TRPC_ENDPOINT,
      req: request,
      router: appRouter,
      // Refused inside tRPC, so clients get the usual error shape (with data.appCode) and status.
      createContext: () => {
        if (refusal) throw toTRPCError(refusal);
        return createContext({ services: services.api, headers: request.headers, caller });
      },
      responseMeta: ({ errors }) => {
        const limited = errors.find((error) => error.cause instanceof AppError && error.cause.code === "TOO_MANY_REQUESTS");
        const retryAfter = limited?.cause instanceof AppError ? limited.cause.details?.retryAfterSeconds : undefined;
        return typeof retryAfter === "number" ? { headers: new Headers({ "retry-after": String(retryAfter) }) } : {};
      },
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") services.api.logger.error({ err: error.cause ?? error, path }, "tRPC request failed");
      },
    }),
  );
}
