/** The memory tools: how an agent stores and recalls long-term facts and keeps its profile of the user. */
import { z } from "zod";
import { recallMemories, storeMemory, updateProfile, ZMemoryFact, ZProfilePatch } from "../agents/memory";
import { defineTool } from "./registry";

export const memoryStoreTool = defineTool({
  name: "memory_store",
  category: "memory",
  description: "Remember a fact for later conversations (long-term memory). Store one self-contained fact per call.",
  input: z.object({ fact: ZMemoryFact.describe("The fact to remember, as a full sentence") }),
  sideEffect: true,
  async execute(input, context) {
    const memory = await storeMemory(context.db, {
      projectId: context.projectId,
      agentId: context.agentId,
      userId: context.userId,
      content: input.fact,
      source: "agent",
      // The playground and other hand-made calls have no chat session to point back to.
      sessionId: z.uuid().safeParse(context.sessionId).success ? context.sessionId : null,
    });
    return { stored: true, id: memory.id };
  },
});

export const memoryRecallTool = defineTool({
  name: "memory_recall",
  category: "memory",
  description: "Search your long-term memory for facts related to a query.",
  input: z.object({ query: z.string().trim().min(1).max(1000), limit: z.number().int().min(1).max(20).default(5) }),
  async execute(input, context) {
    const memories = await recallMemories(context.db, {
      projectId: context.projectId,
      agentId: context.agentId,
      userId: context.userId,
      query: input.query,
      limit: input.limit,
    });
    return memories.map((memory) => ({ fact: memory.content, score: Number(memory.score.toFixed(3)) }));
  },
});

export const updateProfileTool = defineTool({
  name: "update_profile",
  category: "memory",
  description: "Update your working profile of the user you talk with (preferences, name, context). A null value removes a field.",
  input: z.object({ patch: ZProfilePatch }),
  sideEffect: true,
  async execute(input, context) {
    if (!context.userId) return "There is no user to keep a profile of in this run.";
    return updateProfile(context.db, {
      projectId: context.projectId,
      agentId: context.agentId,
      userId: context.userId,
      patch: input.patch,
    });
  },
});

export const memoryTools = [memoryStoreTool, memoryRecallTool, updateProfileTool];
