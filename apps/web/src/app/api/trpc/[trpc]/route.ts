/** The tRPC endpoint: HTTP batch (streaming) for queries and mutations, SSE for subscriptions. */
import { appRouter, createContext } from "@gathering/api";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { webServices } from "~/server/services";

export const dynamic = "force-dynamic";

function handler(request: Request) {
  const services = webServices().api;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createContext({ services, headers: request.headers, caller: null }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") services.logger.error({ err: error.cause ?? error, path }, "tRPC request failed");
    },
  });
}

export { handler as GET, handler as POST };
