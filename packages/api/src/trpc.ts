/**
 * tRPC init, the error formatter, middlewares and the procedure tiers:
 * publicProcedure -> protectedProcedure -> projectProcedure(minRole).
 */
import { AppError, type AppErrorCode, hasRole, recordSpanFailure, SpanKind, withSpan } from "@gathering/core";
import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { Context, ProjectRole } from "./context";

const trpcCodeFor: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  VALIDATION_FAILED: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  BUDGET_EXCEEDED: "FORBIDDEN",
  TIMEOUT: "TIMEOUT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** The app-level code a client sees for a tRPC error that did not come from an AppError. */
const appCodeFor: Partial<Record<TRPC_ERROR_CODE_KEY, AppErrorCode>> = {
  BAD_REQUEST: "BAD_REQUEST",
  PARSE_ERROR: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_SUPPORTED: "BAD_REQUEST",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "BAD_REQUEST",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  TIMEOUT: "TIMEOUT",
  SERVICE_UNAVAILABLE: "UNAVAILABLE",
};

/** The app-level code of a tRPC error that did not come from an AppError (what the error formatter sends as appCode). */
export function appCodeOfTRPCError(error: TRPCError): AppErrorCode {
  return appCodeFor[error.code] ?? "INTERNAL";
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: trpcCodeFor[error.code], message: error.message, cause: error });
}

/** Procedure metadata: the role a project procedure needs (read by the tenant-isolation test). */
export interface ProcedureMeta {
  minRole?: ProjectRole;
  /**
   * A mutation that changes only the caller's own state in the project (marking their notifications
   * read), never the project's: the one kind a viewer may call.
   */
  isPersonal?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const appError = cause instanceof AppError ? cause : null;
      const zodError = cause instanceof ZodError ? z.flattenError(cause) : null;
      const isInternal = error.code === "INTERNAL_SERVER_ERROR" && !appError;
      // Never send stack traces, SQL or driver messages to a client.
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        message: isInternal ? "Internal server error" : zodError ? "Invalid input" : shape.message,
        data: {
          ...data,
          appCode: appError?.code ?? (zodError ? "VALIDATION_FAILED" : appCodeOfTRPCError(error)),
          details: appError?.details ?? null,
          zodError,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Turns thrown AppErrors into tRPC errors with the right status, logs and measures every call, and runs
 * it under a `trpc <path>` span: a refusal is the call's outcome, and only an unexpected failure an error.
 */
const baseMiddleware = t.middleware(async ({ ctx, next, path, type }) => {
  const spanAttributes = { "rpc.system": "trpc", "rpc.method": path, "trpc.type": type, "gathering.request_id": ctx.requestId };
  const result = await withSpan(
    `trpc ${path}`,
    spanAttributes,
    async (span) => {
      const startedAt = performance.now();
      const result = await next();
      const durationMs = Math.round((performance.now() - startedAt) * 100) / 100;
      const cause = result.ok ? undefined : result.error.cause;
      const outcome = result.ok
        ? "ok"
        : cause instanceof AppError
          ? cause.code
          : cause instanceof ZodError
            ? "VALIDATION_FAILED"
            : result.error.code;
      ctx.services.observeProcedure?.({ path, type, durationMs, outcome });
      span.setAttribute("trpc.outcome", outcome);
      if (result.ok) {
        ctx.logger.debug({ path, type, durationMs }, "procedure ok");
        return result;
      }
      span.setAttribute("error.type", outcome);
      if (!(cause instanceof AppError) && !(cause instanceof ZodError) && result.error.code === "INTERNAL_SERVER_ERROR") {
        recordSpanFailure(span, cause ?? result.error);
        ctx.logger.error({ path, type, durationMs, err: cause ?? result.error }, "procedure failed");
      } else {
        ctx.logger.info({ path, type, durationMs, code: outcome }, "procedure refused");
      }
      return result;
    },
    { kind: SpanKind.SERVER },
  );
  if (!result.ok && result.error.cause instanceof AppError) throw toTRPCError(result.error.cause);
  // A domain validator (the service's own zod parse, e.g. of a merged update) refuses like the input parser does.
  if (!result.ok && result.error.cause instanceof ZodError && result.error.code === "INTERNAL_SERVER_ERROR") {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Invalid input", cause: result.error.cause });
  }
  return result;
});

/** One rate limit for every procedure: per user when signed in, per address otherwise. */
function rateLimitMiddleware(tier: "default" | "strict") {
  return t.middleware(async ({ ctx, next }) => {
    const rules = ctx.services.rateLimits;
    const rule = tier === "strict" ? rules.strict : ctx.caller ? rules.authenticated : rules.anonymous;
    const subject = tier === "strict" || !ctx.caller ? `ip:${ctx.ip}` : `user:${ctx.caller.userId}`;
    const limiter = tier === "strict" ? ctx.services.exactRateLimiter : ctx.services.rateLimiter;
    const result = await limiter.limit(`api:${tier}:${subject}`, rule.limit, rule.windowMs);
    if (!result.isAllowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil((result.resetAt.getTime() - Date.now()) / 1000));
      throw new AppError("TOO_MANY_REQUESTS", `Too many requests; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    return next();
  });
}

export const publicProcedure = t.procedure.use(baseMiddleware).use(rateLimitMiddleware("default"));

/** For sign-up and the like: a much lower limit per address. */
export const strictPublicProcedure = t.procedure.use(baseMiddleware).use(rateLimitMiddleware("strict"));

/** Requires a caller, and names them as the actor of what the procedure does. */
const requireCaller = t.middleware(({ ctx, next }) => {
  if (!ctx.caller) throw new AppError("UNAUTHORIZED", "Sign in or send an API token");
  return next({ ctx: { ...ctx, caller: ctx.caller, actor: { userId: ctx.caller.userId, ip: ctx.ip } } });
});

export const protectedProcedure = publicProcedure.use(requireCaller);

/** A signed-in call on the strict limit (joining a project with an invitation token). */
export const strictProtectedProcedure = strictPublicProcedure.use(requireCaller);

export { hasRole };

const projectInput = z.object({ projectId: z.uuid() });

/**
 * A procedure on one project's data. Its input must carry `projectId`; the caller must be a member
 * with at least `minRole`. A non-member gets NOT_FOUND, so project ids cannot be probed.
 */
export function projectProcedure(minRole: ProjectRole) {
  return protectedProcedure
    .meta({ minRole })
    .input(projectInput)
    .use(async ({ ctx, input, next }) => {
      const scope = ctx.caller.tokenScope;
      if (scope && scope.projectId !== input.projectId) throw new AppError("NOT_FOUND", "Project not found");
      const memberRole = await ctx.services.resolveProjectRole(ctx.db, ctx.caller.userId, input.projectId);
      if (!memberRole) throw new AppError("NOT_FOUND", "Project not found");
      // A token never grants more than its own role, nor more than its owner's.
      const role = scope && !hasRole(scope.role, memberRole) ? scope.role : memberRole;
      if (!hasRole(role, minRole)) throw new AppError("FORBIDDEN", `This needs the ${minRole} role or higher in the project`);
      return next({ ctx: { ...ctx, project: { id: input.projectId, role }, actor: { ...ctx.actor, role } } });
    });
}
