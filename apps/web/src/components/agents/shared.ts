/**
 * The pieces of the domain the agent pages need in the browser: the agent definition's validator (the
 * one the API uses, so the form's field errors match the server's), provider names, the offline model's
 * label and the way costs are written. From `@gathering/core/browser`: the whole core index would pull
 * the database driver, bcrypt and pino into the browser bundle.
 */
export { formatUsd, localModelLabel, localModelNames, type ModelProvider, modelProviders, ZAgentDefinition } from "@gathering/core/browser";
