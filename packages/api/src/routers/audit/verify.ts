/** audit.verify: recomputes the hash chain and names the first row that does not match. */
import { verifyAuditChain } from "@gathering/db";
import { projectProcedure } from "../../trpc";

export const verify = projectProcedure("admin").query(({ ctx }) => verifyAuditChain(ctx.db));
