/** What the browser may import from core: zod schemas and pure helpers only (no database, bcrypt or pino). */
export { ZAgentDefinition, ZAgentUpdate } from "./agents/agent-schema";
export { localModelLabel, localModelNames } from "./llm/adapters/local";
export { formatUsd, type ModelPrice, ZModelPrice } from "./llm/pricing";
export { type ModelProvider, modelProviders } from "./llm/types";
export {
  checkPipelineDefinition,
  type DefinitionProblem,
  type PipelineDefinition,
  type PipelineEdge,
  type PipelineInput,
  type PipelineNode,
  type PipelineNodeType,
  pipelineInputTypes,
  pipelineNodeTypes,
  ZPipelineEdge,
  ZPipelineInput,
  ZPipelineNode,
  ZRetryPolicy,
} from "./pipelines/definition";
