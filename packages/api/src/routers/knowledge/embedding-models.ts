/** knowledge.embeddingModels: the models a base can use; the offline one is labelled `isOffline`. */
import { listEmbeddingModels } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const embeddingModels = projectProcedure("viewer")
  .output(
    z.array(
      z.object({
        provider: z.enum(["local", "openai", "ollama"]),
        model: z.string(),
        dimensions: z.number().int(),
        label: z.string(),
        isOffline: z.boolean(),
      }),
    ),
  )
  .query(() => listEmbeddingModels());
