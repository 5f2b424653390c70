/** The whole API: every domain router composed, and the types the dashboard and the SDK import. */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { eventsRouter } from "./routers/events";
import { membersRouter } from "./routers/members";
import { projectsRouter } from "./routers/projects";
import { settingsRouter } from "./routers/settings";
import { systemRouter } from "./routers/system";
import { tokensRouter } from "./routers/tokens";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  audit: auditRouter,
  auth: authRouter,
  events: eventsRouter,
  members: membersRouter,
  projects: projectsRouter,
  settings: settingsRouter,
  system: systemRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
