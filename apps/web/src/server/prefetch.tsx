/**
 * Server components prefetch through tRPC and hand the answers to the browser: one QueryClient per request,
 * a tRPC options proxy that calls the router in-process with the session's own context (~/server/session),
 * and `HydrateClient`, which dehydrates that cache (superjson) into the page. The client hooks then build
 * exactly the same queries (~/trpc/page-queries), so the first HTML already shows the data and the browser
 * does not ask for it again.
 *
 * A prefetch that fails (a refused role, a missing object) is left out of the hydrated state: the client
 * query runs on its own and shows the error the way it always does.
 */
import { type AppRouter, appRouter, type RouterOutputs } from "@gathering/api";
import { dehydrate, HydrationBoundary, type UseQueryOptions } from "@tanstack/react-query";
import { TRPCError } from "@trpc/server";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cookies } from "next/headers";
import { cache, type ReactNode } from "react";
import { PROJECT_COOKIE } from "~/components/project-cookie";
import { makeQueryClient } from "~/trpc/query-client";
import { createServerContext } from "./session";

type Account = RouterOutputs["auth"]["me"];
export type ServerProject = Account["projects"][number];

/** React's `cache` scopes each of these to one request: the layout and the page share them. */
const getQueryClient = cache(() => makeQueryClient({ isServer: true }));
const getServerContext = cache(createServerContext);

/** The tRPC options proxy of this request: `trpc.agents.list.queryOptions(input)`, as `useTRPC()` gives in the browser. */
export const getServerTRPC = cache(() =>
  createTRPCOptionsProxy<AppRouter>({
    router: appRouter,
    ctx: async () => (await getServerContext()).context,
    queryClient: getQueryClient,
  }),
);

/** The signed-in account (null when signed out, or when the session's account is gone), fetched once per request. */
export const getServerAccount = cache(async (): Promise<Account | null> => {
  const { caller } = await getServerContext();
  if (!caller) return null;
  try {
    return await getQueryClient().fetchQuery(getServerTRPC().auth.me.queryOptions());
  } catch (error) {
    if (error instanceof TRPCError && error.code === "UNAUTHORIZED") return null;
    throw error;
  }
});

/** The project the browser works in, as it tells the server (the project cookie); the first one otherwise, as the browser does. */
export const getServerProject = cache(async (): Promise<ServerProject | null> => {
  const account = await getServerAccount();
  if (!account) return null;
  const chosenId = (await cookies()).get(PROJECT_COOKIE)?.value;
  return account.projects.find((project) => project.id === chosenId) ?? account.projects[0] ?? null;
});

type ServerTRPC = ReturnType<typeof getServerTRPC>;
type ServerQueryClient = ReturnType<typeof getQueryClient>;
// biome-ignore lint/suspicious/noExplicitAny: each procedure's query options carry their own data, error and key types (which do not widen to React Query's); only their shape matters here.
type AnyQueryOptions = UseQueryOptions<any, any, any, any>;

/**
 * Prefetches the queries a page shows first for the current project, and waits for them so the HTML has the
 * data; nothing when there is no project (the page then says so, as in the browser). `queriesOf` may first
 * fetch what the rest depends on (a list, then each row's detail) with `queryClient.fetchQuery`; if that
 * fails, the page renders without those and the browser asks (and shows the failure) itself.
 */
export async function prefetchForProject(
  queriesOf: (
    trpc: ServerTRPC,
    project: ServerProject,
    queryClient: ServerQueryClient,
  ) => readonly AnyQueryOptions[] | Promise<readonly AnyQueryOptions[]>,
): Promise<void> {
  const project = await getServerProject();
  if (!project) return;
  const queryClient = getQueryClient();
  const queries = await Promise.resolve()
    .then(() => queriesOf(getServerTRPC(), project, queryClient))
    .catch((): readonly AnyQueryOptions[] => []);
  await Promise.all(queries.map((options) => queryClient.prefetchQuery(options)));
}

/** Hands what this request prefetched to the client components inside. */
export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
