/** The whole API: every domain router composed, and the types the dashboard and the SDK import. */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { systemRouter } from "./routers/system";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
