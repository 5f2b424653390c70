/** A job type: its id (colon-separated), its zod payload schema and its retry options. */
import type { z } from "zod";

export interface JobDefinition<TId extends string = string, TPayload extends z.ZodType = z.ZodType> {
  id: TId;
  payload: TPayload;
  /** Attempts before the job is left failed (Graphile Worker retries with exponential backoff). */
  maxAttempts: number;
  /** Jobs in one named queue run one at a time; leave unset for parallel jobs. */
  queueName?: string;
  /** Lower runs first. */
  priority?: number;
}

export type JobPayload<TJob extends JobDefinition> = z.output<TJob["payload"]>;
export type JobPayloadInput<TJob extends JobDefinition> = z.input<TJob["payload"]>;

export function defineJob<TId extends string, TPayload extends z.ZodType>(
  definition: JobDefinition<TId, TPayload>,
): JobDefinition<TId, TPayload> {
  if (!/^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)+$/.test(definition.id)) {
    throw new Error(`job id "${definition.id}" must be colon-separated kebab-case, like "pipelines:run-node"`);
  }
  return definition;
}
