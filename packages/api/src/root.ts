/** The whole API: every domain router composed, and the types the dashboard and the SDK import. */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { agentsRouter } from "./routers/agents";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { circlesRouter } from "./routers/circles";
import { conversationsRouter } from "./routers/conversations";
import { eventsRouter } from "./routers/events";
import { knowledgeRouter } from "./routers/knowledge";
import { mcpRouter } from "./routers/mcp";
import { membersRouter } from "./routers/members";
import { notificationsRouter } from "./routers/notifications";
import { pipelinesRouter } from "./routers/pipelines";
import { projectsRouter } from "./routers/projects";
import { schedulesRouter } from "./routers/schedules";
import { settingsRouter } from "./routers/settings";
import { systemRouter } from "./routers/system";
import { tasksRouter } from "./routers/tasks";
import { tokensRouter } from "./routers/tokens";
import { toolsRouter } from "./routers/tools";
import { usageRouter } from "./routers/usage";
import { workspaceRouter } from "./routers/workspace";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  agents: agentsRouter,
  audit: auditRouter,
  auth: authRouter,
  circles: circlesRouter,
  conversations: conversationsRouter,
  events: eventsRouter,
  knowledge: knowledgeRouter,
  mcp: mcpRouter,
  members: membersRouter,
  notifications: notificationsRouter,
  pipelines: pipelinesRouter,
  projects: projectsRouter,
  schedules: schedulesRouter,
  settings: settingsRouter,
  system: systemRouter,
  tasks: tasksRouter,
  tokens: tokensRouter,
  tools: toolsRouter,
  usage: usageRouter,
  workspace: workspaceRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
