/**
 * Workspace downloads (GET /api/workspace/download) and uploads (PUT /api/workspace/upload) inside
 * Next.js. `gathering start` answers these before Next.js sees the request (same handler); this route
 * serves `next dev` and any other way of running Next.
 */
import { handleWorkspaceRequest } from "@gathering/server";

export const dynamic = "force-dynamic";

export { handleWorkspaceRequest as GET, handleWorkspaceRequest as PUT };
