/**
 * GatheRing as an MCP server: POST /api/mcp speaks MCP over streamable HTTP, stateless (a fresh SDK
 * server and transport per request, JSON answers), behind API tokens only. The token is verified exactly
 * as for tRPC (hash lookup, revocation cache, expiry); its project scopes every tool and its role, never
 * above its user's own role in the project, decides what a tool may do. The tools themselves are the
 * `gatheringMcpTools` of core (one registration point). No token, a bad or revoked one: 401.
 */
import { type ResolvedCaller, resolveCaller } from "@gathering/auth";
import {
  AppError,
  type AppErrorCode,
  GATHERING_VERSION,
  type GatheringMcpTool,
  gatheringMcpTools,
  hasRole,
  isAppError,
} from "@gathering/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { webServices } from "./services";

export const MCP_ENDPOINT = "/api/mcp";

const statusFor: Partial<Record<AppErrorCode, number>> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TOO_MANY_REQUESTS: 429,
  BAD_REQUEST: 400,
  UNAVAILABLE: 503,
};

/** A JSON-RPC error without an id: what MCP clients expect from an HTTP-level refusal. */
function refusal(error: AppError): Response {
  const headers = new Headers({ "cache-control": "no-store", "content-type": "application/json" });
  if (error.code === "UNAUTHORIZED") headers.set("www-authenticate", 'Bearer realm="gathering", error="invalid_token"');
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === "number") headers.set("retry-after", String(retryAfter));
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: error.message }, id: null }), {
    status: statusFor[error.code] ?? 500,
    headers,
  });
}

async function authorise(request: Request) {
  const services = webServices();
  await services.ready;
  const caller: ResolvedCaller | null = await resolveCaller(request.headers, services.auth);
  // Only API tokens: a browser cookie carries no project scope and would ride along on cross-site requests.
  if (caller?.source !== "token" || !caller.tokenScope) {
    throw new AppError("UNAUTHORIZED", "Send an API token of the project: Authorization: Bearer gat_...");
  }
  const api = services.api;
  const rule = api.rateLimits.authenticated;
  const limited = await api.rateLimiter.limit(`api:default:user:${caller.userId}`, rule.limit, rule.windowMs);
  if (!limited.isAllowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil((limited.resetAt.getTime() - Date.now()) / 1000));
    throw new AppError("TOO_MANY_REQUESTS", `Too many requests; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
  const scope = caller.tokenScope;
  const memberRole = await api.resolveProjectRole(api.db, caller.userId, scope.projectId);
  if (!memberRole) throw new AppError("FORBIDDEN", "The token's user is no longer a member of its project");
  const role = hasRole(scope.role, memberRole) ? memberRole : scope.role;
  return { api, caller, projectId: scope.projectId, role };
}

function toResult(output: unknown): CallToolResult {
  if (typeof output === "string") return { content: [{ type: "text", text: output }] };
  const structured = (output ?? {}) as Record<string, unknown>;
  return { content: [{ type: "text", text: JSON.stringify(structured) }], structuredContent: structured };
}

function buildServer(request: Request, access: Awaited<ReturnType<typeof authorise>>): McpServer {
  const { api, caller, projectId, role } = access;
  const server = new McpServer({ name: "gathering", version: GATHERING_VERSION }, { capabilities: { tools: {} } });
  const logger = api.logger.child({ mcp: true, projectId, tokenId: caller.tokenScope?.tokenId });
  for (const tool of gatheringMcpTools as readonly GatheringMcpTool[]) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, annotations: { readOnlyHint: tool.isReadOnly } },
      async (input: unknown, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
        if (!hasRole(role, tool.minRole)) {
          return { isError: true, content: [{ type: "text", text: `${tool.name} needs a token with the ${tool.minRole} role or higher` }] };
        }
        try {
          const output = await tool.execute(input as never, {
            runtime: {
              db: api.db,
              keyring: api.keyring,
              gateway: api.modelGateway,
              logger,
              ...(api.tools ? { tools: api.tools } : {}),
              ...(api.toolServices ? { toolServices: api.toolServices } : {}),
            },
            actor: { userId: caller.userId, ip: request.headers.get("x-gathering-client-ip") },
            projectId,
            signal: AbortSignal.any([extra.signal, request.signal]),
          });
          return toResult(output);
        } catch (error) {
          if (isAppError(error)) return { isError: true, content: [{ type: "text", text: error.message }] };
          logger.error({ err: error, tool: tool.name }, "MCP tool failed");
          return { isError: true, content: [{ type: "text", text: `${tool.name} failed: internal error` }] };
        }
      },
    );
  }
  return server;
}

/** Serves /api/mcp (from the CLI's server and the Next.js route alike). */
export async function handleMcpRequest(request: Request): Promise<Response> {
  try {
    const access = await authorise(request);
    // Stateless: no session to resume, so no standalone event stream (GET) and nothing to end (DELETE).
    if (request.method !== "POST") {
      return new Response(
        JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Use POST: this server is stateless" }, id: null }),
        {
          status: 405,
          headers: { allow: "POST", "content-type": "application/json", "cache-control": "no-store" },
        },
      );
    }
    const server = buildServer(request, access);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      // With JSON answers the response is complete when handleRequest returns.
      return await transport.handleRequest(request);
    } finally {
      await server.close().catch(() => {});
    }
  } catch (error) {
    if (isAppError(error)) return refusal(error);
    webServices().api.logger.error({ err: error }, "MCP request failed");
    return refusal(new AppError("INTERNAL", "Internal server error"));
  }
}
