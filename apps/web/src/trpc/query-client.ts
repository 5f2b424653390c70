/**
 * The React Query client of the dashboard, made the same way in the browser and for each server render:
 * answers stay fresh for 30 s (so data the server prefetched is used as is on hydration, not fetched again),
 * and the cache crosses from server to browser as superjson (dates stay dates). No directive: both import it.
 */
import { QueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import superjson from "superjson";

/** A refusal (wrong role, bad input, missing project) will not change on a second try; only server and network trouble might. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 1) return false;
  if (!(error instanceof TRPCClientError)) return true;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  return status === undefined || status >= 500;
}

/** `isServer`: a server render's prefetch never retries (the page would only be later); the browser's query shows the error. */
export function makeQueryClient({ isServer = false }: { isServer?: boolean } = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000, retry: isServer ? false : shouldRetry },
      dehydrate: { serializeData: superjson.serialize },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}
