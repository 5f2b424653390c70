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

/** A tRPC caller for server components and server actions, acting as the signed-in user. */
export async function createServerApi() {
  const services = webServices();
  const caller = await getServerCaller();
  const requestHeaders = new Headers(await headers());
  return { caller, api: appRouter.createCaller(createContext({ services: services.api, headers: requestHeaders, caller })) };
}
