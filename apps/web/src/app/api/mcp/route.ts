/**
 * GatheRing as an MCP server (POST /api/mcp, streamable HTTP, API tokens) inside Next.js. `gathering
 * start` answers it before Next.js sees the request (same handler); this route serves `next dev` and any
 * other way of running Next.
 */
import { handleMcpRequest } from "@gathering/server";

export const dynamic = "force-dynamic";

export { handleMcpRequest as DELETE, handleMcpRequest as GET, handleMcpRequest as POST };
