/** settings.get: provider settings, with API keys masked. */
import { getProviderSettings } from "@gathering/core";
import { projectProcedure } from "../../trpc";

export const get = projectProcedure("member").query(({ ctx }) => getProviderSettings(ctx.db, ctx.project.id));
