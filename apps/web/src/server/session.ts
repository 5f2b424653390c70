/** The signed-in user in server components and server actions (the same rules as the API). */

import { appRouter, createContext } from "@gathering/api";
import { type ResolvedCaller, resolveCaller } from "@gathering/auth";
import { webServices } from "@gathering/server";
import { headers } from "next/headers";

export async function getServerCaller(): Promise<ResolvedCaller | null> {
  const services = webServices();
  await services.ready;
  const requestHeaders = new Headers(await headers());
  // Server components never see API tokens; only the browser's session cookie counts here.
  requestHeaders.delete("authorization");
  return resolveCaller(requestHeaders, services.auth);
}

/** The tRPC context of a server component or server action: the API's own, acting as the signed-in user. */
export async function createServerContext() {
  const services = webServices();
  const caller = await getServerCaller();
  const requestHeaders = new Headers(await headers());
  return { caller, context: createContext({ services: services.api, headers: requestHeaders, caller }) };
}

/** A tRPC caller for server components and server actions, acting as the signed-in user. */
export async function createServerApi() {
  const { caller, context } = await createServerContext();
  return { caller, api: appRouter.createCaller(context) };
}
