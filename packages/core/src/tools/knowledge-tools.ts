/**
 * knowledge_search: the agent searches the knowledge bases attached to it (hybrid full text + vector,
 * see packages/core/src/knowledge/search.ts). It only reaches bases attached to the agent, so a tool
 * call cannot read a base the agent's owner did not give it.
 */
import { findAgent } from "@gathering/db";
import { z } from "zod";
import { AppError } from "../errors";
import { searchKnowledgeBases } from "../knowledge/search";
import { defineTool } from "./registry";

export const knowledgeSearchTool = defineTool({
  name: "knowledge_search",
  // "memory": like the memory tools, it acts as one agent (the playground asks which) and reads what that agent knows.
  category: "memory",
  description:
    "Search the knowledge bases attached to you (documents your team added) for passages about a question. Returns the best passages with their source and a ref number; cite each passage you use with its number in square brackets, like [3].",
  input: z.object({
    query: z.string().trim().min(1).max(2000).describe("What to look for, in words or as a question"),
    limit: z.number().int().min(1).max(10).default(5),
    knowledgeBaseIds: z.array(z.uuid()).min(1).max(20).optional().describe("Search only these of your knowledge bases"),
  }),
  async execute(input, context) {
    const agent = await findAgent(context.db, { projectId: context.projectId, agentId: context.agentId });
    if (!agent) throw new AppError("NOT_FOUND", "Agent not found");
    const attached = new Set(agent.knowledgeBaseIds as string[]);
    if (attached.size === 0) return "No knowledge base is attached to you; ask the user to attach one in your settings.";
    const chosen = input.knowledgeBaseIds ?? [...attached];
    const outside = chosen.filter((id) => !attached.has(id));
    if (outside.length > 0) throw new AppError("FORBIDDEN", `Knowledge base ${outside[0]} is not attached to you`);
    const result = await searchKnowledgeBases(
      context.db,
      { ...(context.services.keyring ? { keyring: context.services.keyring } : {}) },
      { projectId: context.projectId, knowledgeBaseIds: chosen, query: input.query, limit: input.limit },
    );
    return {
      results: result.hits.map((hit) => ({
        // In an agent's turn the passage becomes citable: an answer that writes [ref] stores it as a citation.
        ...(context.cite ? { ref: context.cite(hit) } : {}),
        source: [hit.documentName, ...hit.headingPath].join(" › "),
        documentId: hit.documentId,
        chunkId: hit.chunkId,
        position: hit.position,
        score: Number(hit.score.toFixed(4)),
        text: hit.content,
      })),
    };
  },
});
