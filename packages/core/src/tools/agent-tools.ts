/** Tools that reach other agents of the project. */
import { z } from "zod";
import { AppError } from "../errors";
import { defineTool } from "./registry";

export const askAgentTool = defineTool({
  name: "ask_agent",
  category: "agents",
  description:
    "Ask another agent of this project a question and get its answer (delegation). Name the agent exactly; give it all the context it needs, since it does not see this conversation.",
  input: z.object({
    agent: z.string().trim().min(1).max(100).describe("The other agent's name"),
    question: z.string().trim().min(1).max(20_000).describe("The question or task, self-contained"),
  }),
  timeoutMs: 300_000,
  async execute(input, context) {
    if (!context.services.askAgent) throw new AppError("PRECONDITION_FAILED", "Delegation is not available here");
    const answer = await context.services.askAgent({
      agentName: input.agent,
      question: input.question,
      depth: context.services.delegationDepth ?? 0,
      signal: context.signal,
    });
    return { agent: input.agent, answer };
  },
});
