/**
 * What a circle is, validated once for the API, the dashboard form and the engine: its members (agents
 * with a role inside the circle), its strategy, its termination rules and budgets. A run keeps a
 * snapshot of this (`CircleRunConfig`), so editing a circle never changes a run that already started.
 */
import { z } from "zod";
import { hasControlCharacters, hasControlCharactersInText } from "../validation";

export const circleStrategies = ["sequential", "round_robin", "selector", "hierarchical", "handoff"] as const;
export type CircleStrategy = (typeof circleStrategies)[number];

/** Why a run ended. The first four are natural ends (succeeded), the next four limits (stopped). */
export const circleStopReasons = [
  "finished",
  "completion_phrase",
  "sequence_complete",
  "completed",
  "max_turns",
  "token_budget",
  "cost_budget",
  "timeout",
  "user_stop",
  "error",
] as const;
export type CircleStopReason = (typeof circleStopReasons)[number];

export const circleRunStatuses = ["running", "paused", "succeeded", "stopped", "failed", "cancelled"] as const;
export type CircleRunStatus = (typeof circleRunStatuses)[number];

/** The hard ceiling on turns, whatever a circle asks for: no run can go on for ever. */
export const maxCircleTurns = 500;

const ZLine = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters`)
    .refine((value) => !hasControlCharacters(value), `${label} cannot contain control characters`);

const ZText = (label: string, max: number) =>
  z
    .string()
    .max(max, `Use at most ${max.toLocaleString("en")} characters`)
    .refine((value) => !hasControlCharactersInText(value), `${label} cannot contain control characters`);

export const ZCircleName = ZLine("Names", 100).pipe(z.string().min(1, "Give the circle a name"));

export const ZCircleTermination = z.object({
  maxTurns: z.number().int().min(1).max(maxCircleTurns, `At most ${maxCircleTurns} turns`).default(20),
  /** Input plus output tokens of the whole run. */
  maxTokens: z.number().int().min(1).max(100_000_000).optional(),
  /** In millionths of a US dollar. */
  maxCostMicros: z.number().int().min(1).max(1_000_000_000_000).optional(),
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional(),
  /** A member's message containing this text (case-insensitive) ends the run. */
  completionPhrase: ZLine("The completion phrase", 200).pipe(z.string().min(1)).optional(),
});
export type CircleTermination = z.infer<typeof ZCircleTermination>;

export const ZCircleMember = z.object({
  agentId: z.uuid(),
  role: ZText("Roles", 2_000).default(""),
});

export const ZCircleDefinition = z
  .object({
    name: ZCircleName,
    description: ZText("The description", 5_000).default(""),
    strategy: z.enum(circleStrategies, { message: `Choose a strategy: ${circleStrategies.join(", ")}` }),
    members: z
      .array(ZCircleMember)
      .min(1, "Add at least one member")
      .max(20, "Use at most 20 members")
      .refine((members) => new Set(members.map((member) => member.agentId)).size === members.length, "Each agent joins once"),
    /** Picks speakers (selector) or manages (hierarchical). */
    coordinatorAgentId: z.uuid().nullable().default(null),
    termination: ZCircleTermination.default({ maxTurns: 20 }),
    knowledgeBaseIds: z.array(z.uuid()).max(20).default([]),
  })
  .superRefine((circle, context) => {
    if ((circle.strategy === "selector" || circle.strategy === "hierarchical") && !circle.coordinatorAgentId) {
      context.addIssue({
        code: "custom",
        path: ["coordinatorAgentId"],
        message:
          circle.strategy === "selector"
            ? "A selector circle needs an agent that picks the speaker"
            : "A hierarchical circle needs a manager",
      });
    }
    if (
      (circle.strategy === "round_robin" || circle.strategy === "selector" || circle.strategy === "handoff") &&
      circle.members.length < 2
    ) {
      context.addIssue({ code: "custom", path: ["members"], message: "This strategy needs at least two members" });
    }
  });
export type CircleDefinition = z.infer<typeof ZCircleDefinition>;
export type CircleDefinitionInput = z.input<typeof ZCircleDefinition>;

export const ZCircleTask = z
  .string()
  .max(100_000, "Keep a task under 100,000 characters")
  .refine((value) => value.trim().length > 0, "Describe the task")
  .refine((value) => !hasControlCharactersInText(value), "Tasks cannot contain control characters");

/** A run's frozen configuration. */
export const ZCircleRunConfig = z.object({
  name: z.string(),
  strategy: z.enum(circleStrategies),
  members: z.array(z.object({ agentId: z.string(), name: z.string(), role: z.string() })),
  coordinator: z.object({ agentId: z.string(), name: z.string() }).nullable(),
  termination: ZCircleTermination,
  /** Sequential: how many times the members go round (conversations: the exchanges). */
  rounds: z.number().int().min(1).default(1),
});
export type CircleRunConfig = z.infer<typeof ZCircleRunConfig>;

export interface CircleTurnPlan {
  turn: number;
  speakerId: string;
  purpose: "speak" | "plan" | "review";
  /** Hierarchical work turns: the board item the speaker works on. */
  focusItem?: number;
  /** The speaker's transcript for this turn (a chat session of kind "task"). */
  sessionId: string;
  /** Selector: the session the coordinator chose in, what it said and whether the engine overrode it. */
  selection?: { sessionId: string; choice: string; fallback: "invalid" | "repeat" | null };
}

/** What a strategy carries between turns (circle_runs.state). */
export const ZCircleRunState = z.object({
  /** The turn being worked on: chosen speaker and transcripts, so a crash resumes it instead of choosing again. */
  pending: z.custom<CircleTurnPlan>().optional(),
  /** Selector: a selection session started but not decided yet (crash between the two). */
  selecting: z.object({ turn: z.number(), sessionId: z.string() }).optional(),
  /** Handoff: who speaks next. */
  nextSpeakerId: z.string().optional(),
  /** Hierarchical: where the manager is. */
  phase: z.enum(["plan", "work", "review"]).optional(),
  reviews: z.number().int().optional(),
  /** Selector: every pick, with the fallback applied when the choice was not usable. */
  picks: z
    .array(z.object({ turn: z.number(), choice: z.string(), speakerId: z.string(), fallback: z.enum(["invalid", "repeat"]).nullable() }))
    .default([]),
});
export type CircleRunState = z.infer<typeof ZCircleRunState>;

/** How many times the hierarchical manager may send work back after reviewing it. */
export const maxHierarchicalReviews = 2;
