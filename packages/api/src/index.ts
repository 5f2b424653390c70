/** @gathering/api: the tRPC API. */
export { appRouter, createCaller, type AppRouter, type RouterInputs, type RouterOutputs } from "./root";
export { createContext, projectRoles, type ApiServices, type Caller, type Context, type ProjectRole } from "./context";
export { hasRole, toTRPCError } from "./trpc";
