/**
 * Streamed workspace transfers over plain HTTP, beside tRPC (whose JSON bodies suit neither):
 *   GET /api/workspace/download?projectId&path  -> the file's bytes, as an attachment (viewers and up)
 *   PUT /api/workspace/upload?projectId&path    -> the request body becomes the file (members and up)
 * The caller is resolved and refused exactly as for tRPC (API token or live session, per-caller rate
 * limit, same-origin check for cookie-authenticated writes, a token never beyond its project and role),
 * and the body streams to disk with the file and project limits enforced as it arrives.
 */
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { type ResolvedCaller, resolveCaller } from "@gathering/auth";
import { AppError, type AppErrorCode, defaultWorkspaceLimits, hasRole, openWorkspaceDownload, writeWorkspaceFile } from "@gathering/core";
import { z } from "zod";
import { isSameOrigin } from "./origin";
import { webServices } from "./services";

export const WORKSPACE_ENDPOINT = "/api/workspace";
export const WORKSPACE_DOWNLOAD_ENDPOINT = `${WORKSPACE_ENDPOINT}/download`;
export const WORKSPACE_UPLOAD_ENDPOINT = `${WORKSPACE_ENDPOINT}/upload`;

const statusFor: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  BUDGET_EXCEEDED: 403,
  TIMEOUT: 504,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const ZTransferQuery = z.object({
  projectId: z.uuid("projectId must be a project id"),
  path: z.string().min(1, "Give the file's path").max(4096),
});

function errorResponse(error: AppError): Response {
  const headers = new Headers({ "cache-control": "no-store" });
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === "number") headers.set("retry-after", String(retryAfter));
  return Response.json(
    { error: { message: error.message, code: error.code, details: error.details ?? null } },
    { status: statusFor[error.code], headers },
  );
}

/** `attachment` with both a plain-ASCII fallback and the exact UTF-8 name (RFC 6266). */
function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

async function authorise(request: Request, minRole: "viewer" | "member") {
  const services = webServices();
  await services.ready;
  const url = new URL(request.url);
  const query = ZTransferQuery.safeParse({ projectId: url.searchParams.get("projectId"), path: url.searchParams.get("path") });
  const caller: ResolvedCaller | null = await resolveCaller(request.headers, services.auth);
  if (!caller) throw new AppError("UNAUTHORIZED", "Sign in or send an API token");
  // A cookie rides along on cross-site requests; a bearer token does not, so only cookies need the check.
  if (request.method !== "GET" && caller.source === "session" && !isSameOrigin(request)) {
    throw new AppError("FORBIDDEN", "Cross-origin request refused");
  }
  const api = services.api;
  const rule = api.rateLimits.authenticated;
  const limited = await api.rateLimiter.limit(`api:default:user:${caller.userId}`, rule.limit, rule.windowMs);
  if (!limited.isAllowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil((limited.resetAt.getTime() - Date.now()) / 1000));
    throw new AppError("TOO_MANY_REQUESTS", `Too many requests; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
  if (!query.success) {
    throw new AppError("BAD_REQUEST", query.error.issues.map((issue) => issue.message).join("; "), {
      fields: z.flattenError(query.error).fieldErrors,
    });
  }
  const { projectId, path } = query.data;
  const scope = caller.tokenScope;
  if (scope && scope.projectId !== projectId) throw new AppError("NOT_FOUND", "Project not found");
  const memberRole = await api.resolveProjectRole(api.db, caller.userId, projectId);
  if (!memberRole) throw new AppError("NOT_FOUND", "Project not found");
  // A token never grants more than its own role, nor more than its owner's.
  const role = scope && !hasRole(scope.role, memberRole) ? scope.role : memberRole;
  if (!hasRole(role, minRole)) throw new AppError("FORBIDDEN", `This needs the ${minRole} role or higher in the project`);
  if (!api.dataDir) throw new AppError("UNAVAILABLE", "Project workspaces are not configured on this server");
  return { api, caller, projectId, path, access: { db: api.db, dataDir: api.dataDir } };
}

async function download(request: Request): Promise<Response> {
  const { access, projectId, path } = await authorise(request, "viewer");
  const file = await openWorkspaceDownload(access, { projectId, path });
  // The stream closes the file handle when it ends, fails or the client goes away.
  const stream = file.handle.createReadStream({ autoClose: true });
  request.signal.addEventListener("abort", () => stream.destroy(), { once: true });
  return new Response(Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, {
    status: 200,
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(file.size),
      "content-disposition": contentDisposition(file.name),
      "last-modified": new Date(file.modifiedAt).toUTCString(),
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

async function upload(request: Request): Promise<Response> {
  const { access, caller, projectId, path } = await authorise(request, "member");
  const declared = request.headers.get("content-length");
  const declaredBytes = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  // Refused before a byte is read when the client says up front that it is too large.
  if (declaredBytes !== undefined && declaredBytes > defaultWorkspaceLimits.maxFileBytes) {
    throw new AppError("PAYLOAD_TOO_LARGE", `Files are limited to ${defaultWorkspaceLimits.maxFileBytes} bytes`, {
      path,
      limit: defaultWorkspaceLimits.maxFileBytes,
    });
  }
  const body = request.body ? Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>) : Readable.from([]);
  const result = await writeWorkspaceFile(
    access,
    { userId: caller.userId, ip: request.headers.get("x-gathering-client-ip") },
    { projectId, path, content: body, ...(declaredBytes !== undefined ? { declaredBytes } : {}) },
  );
  return Response.json(result, { status: result.isCreated ? 201 : 200, headers: { "cache-control": "no-store" } });
}

/** Serves /api/workspace/download and /api/workspace/upload (from the CLI's server and the Next.js route alike). */
export async function handleWorkspaceRequest(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  try {
    if (pathname === WORKSPACE_DOWNLOAD_ENDPOINT) {
      if (request.method !== "GET") return errorResponse(new AppError("BAD_REQUEST", "Use GET to download"));
      return await download(request);
    }
    if (pathname === WORKSPACE_UPLOAD_ENDPOINT) {
      if (request.method !== "PUT") return errorResponse(new AppError("BAD_REQUEST", "Use PUT to upload"));
      return await upload(request);
    }
    return errorResponse(new AppError("NOT_FOUND", "No such workspace endpoint"));
  } catch (error) {
    if (error instanceof AppError) return errorResponse(error);
    webServices().api.logger.error({ err: error, path: pathname }, "workspace transfer failed");
    return errorResponse(new AppError("INTERNAL", "Internal server error"));
  }
}
