/**
 * The tRPC endpoint inside Next.js. `gathering start` answers /api/trpc before Next.js sees the
 * request (same handler, less overhead); this route serves `next dev` and any other way of running Next.
 */
import { handleTrpcRequest } from "@gathering/server";

export const dynamic = "force-dynamic";

export { handleTrpcRequest as GET, handleTrpcRequest as POST };
