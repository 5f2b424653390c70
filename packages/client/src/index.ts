/**
 * The GatheRing SDK: a typed client for the whole API.
 *
 *   const gathering = createGatheringClient({ url: "http://localhost:3000", token: process.env.GATHERING_TOKEN });
 *   const info = await gathering.system.info.query();
 *
 * Queries and mutations go over batched HTTP; subscriptions over Server-Sent Events.
 */
import type { AppRouter, RouterInputs, RouterOutputs } from "@gathering/api";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource as EventSourcePolyfill } from "eventsource";
import superjson from "superjson";

export type { AppRouter, RouterInputs, RouterOutputs };
export { TRPCClientError };

export interface GatheringClientOptions {
  /** Base URL of the app, e.g. http://localhost:3000. */
  url: string;
  /** An API token (`gat_...`), sent as `Authorization: Bearer`. */
  token?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
}

export type GatheringClient = ReturnType<typeof createTRPCClient<AppRouter>>;

export function createGatheringClient(options: GatheringClientOptions): GatheringClient {
  const endpoint = `${options.url.replace(/\/+$/, "")}/api/trpc`;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const headers = (): Record<string, string> => ({
    ...options.headers,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === "subscription",
        true: httpSubscriptionLink({
          url: endpoint,
          transformer: superjson,
          // Browsers' EventSource cannot send headers; this one can, and runs in Node as well.
          EventSource: EventSourcePolyfill,
          eventSourceOptions: {
            fetch: (input, init) => baseFetch(input, { ...init, headers: { ...init?.headers, ...headers() } }),
          },
        }),
        false: httpBatchLink({ url: endpoint, transformer: superjson, headers, fetch: baseFetch }),
      }),
    ],
  });
}

/** The app-level error code (`NOT_FOUND`, `VALIDATION_FAILED`, ...) of an error thrown by the client, if any. */
export function getErrorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = error.data as { appCode?: unknown } | undefined;
  return typeof data?.appCode === "string" ? data.appCode : undefined;
}
