/** @gathering/api: the tRPC API. */

export { type ApiServices, type Caller, type Context, createContext, type ProjectRole, projectRoles } from "./context";
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from "./root";
export { appCodeOfTRPCError, hasRole, toTRPCError } from "./trpc";
