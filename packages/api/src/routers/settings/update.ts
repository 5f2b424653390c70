/** settings.update: provider settings and API keys (encrypted at rest; answered masked). */
import { updateProviderSettings, ZUpdateProviderSettingsInput } from "@gathering/core";
import { projectProcedure } from "../../trpc";

export const update = projectProcedure("admin")
  .input(ZUpdateProviderSettingsInput)
  .mutation(({ ctx, input }) => updateProviderSettings(ctx.db, ctx.services.keyring, ctx.actor, { ...input, projectId: ctx.project.id }));
