/**
 * The one validator of a pipeline definition: nodes (zod per type), edges, run inputs, and the checks
 * across them (duplicate ids, unknown nodes, cycles with their path, references to nodes that are not
 * upstream, fields that a known upstream output does not have, type mismatches). Every problem is
 * listed at once with the node it belongs to, so an editor can mark them all.
 */
import { compile } from "@jmespath-community/jmespath";
import { z } from "zod";
import { AppError } from "../errors";
import { hasControlCharacters, hasControlCharactersInText } from "../validation";
import { collectReferences, parseReferencePath } from "./references";

export const pipelineNodeTypes = ["agent", "tool", "condition", "transform", "http", "delay", "approval", "subpipeline", "map"] as const;
export type PipelineNodeType = (typeof pipelineNodeTypes)[number];

/** A whole definition as JSON may not exceed this; bigger ones are refused before parsing. */
export const maxDefinitionBytes = 1_000_000;
export const maxPipelineNodes = 2_000;

const ZNodeId = z
  .string()
  .min(1, "Give the node an id")
  .max(64, "Node ids have at most 64 characters")
  .regex(/^[a-z][a-z0-9_-]*$/, "Node ids are lower-case letters, digits, _ and -, starting with a letter");

const ZLabel = z
  .string()
  .trim()
  .max(120)
  .refine((value) => !hasControlCharacters(value), "Labels cannot contain control characters");

/** Template text: may hold {{references}}; tabs and newlines allowed. */
const ZTemplate = (max: number) =>
  z
    .string()
    .max(max, `Use at most ${max.toLocaleString("en")} characters`)
    .refine((value) => !hasControlCharactersInText(value), "Text cannot contain control characters");

const ZJsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string().max(100_000),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(ZJsonValue).max(1_000),
    z.record(z.string().max(200), ZJsonValue),
  ]),
);

const ZExpression = z
  .string()
  .trim()
  .min(1, "Write an expression")
  .max(2_000)
  .superRefine((value, context) => {
    try {
      compile(value);
    } catch (error) {
      context.addIssue({ code: "custom", message: `Not a valid expression: ${(error as Error).message}` });
    }
  });

export const ZRetryPolicy = z.object({
  /** Attempts in all, the first included. */
  maxAttempts: z.number().int().min(1).max(10).default(1),
  /** Wait before the 2nd attempt; doubled each time up to maxBackoffMs. */
  backoffMs: z.number().int().min(0).max(3_600_000).default(1_000),
  maxBackoffMs: z.number().int().min(0).max(3_600_000).default(60_000),
  /** Spread each wait randomly over 50-100 % of it, so retries of many runs do not move in step. */
  jitter: z.boolean().default(true),
});
export type RetryPolicy = z.output<typeof ZRetryPolicy>;

const nodeBase = {
  id: ZNodeId,
  label: ZLabel.optional(),
  /** Where the editor draws it; no meaning to the engine. */
  position: z.object({ x: z.number().finite(), y: z.number().finite() }).optional(),
  retry: ZRetryPolicy.optional(),
  /** One attempt's limit; its AbortSignal fires then. */
  timeoutMs: z.number().int().min(100).max(86_400_000).optional(),
  /** fail: the run fails; continue: the node counts as done with its error as output; branch: follow its "error" edges. */
  onError: z.enum(["fail", "continue", "branch"]).default("fail"),
};

const ZHeaderName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "Not a valid header name");

export const ZPipelineNode = z.discriminatedUnion("type", [
  z.object({
    ...nodeBase,
    type: z.literal("agent"),
    config: z.object({
      agentId: z.uuid("Choose an agent"),
      prompt: ZTemplate(50_000).refine((value) => value.trim().length > 0, "Write a prompt"),
    }),
  }),
  z.object({
    ...nodeBase,
    type: z.literal("tool"),
    config: z.object({
      tool: z
        .string()
        .min(1, "Choose a tool")
        .max(200)
        .regex(/^[a-z][a-z0-9_]*$/, "Tool names are lower-case letters, digits and _"),
      arguments: z.record(z.string().max(200), ZJsonValue).default({}),
    }),
  }),
  z.object({ ...nodeBase, type: z.literal("condition"), config: z.object({ expression: ZExpression }) }),
  z.object({
    ...nodeBase,
    type: z.literal("transform"),
    config: z
      .object({ expression: ZExpression.optional(), mapping: z.record(z.string().min(1).max(200), ZExpression).optional() })
      .refine((value) => (value.expression === undefined) !== (value.mapping === undefined), "Give either an expression or a mapping"),
  }),
  z.object({
    ...nodeBase,
    type: z.literal("http"),
    config: z.object({
      method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]).default("GET"),
      url: ZTemplate(4_000).refine((value) => value.trim().length > 0, "Enter a URL"),
      headers: z.record(ZHeaderName, ZTemplate(8_000)).default({}),
      body: ZJsonValue.optional(),
    }),
  }),
  z.object({
    ...nodeBase,
    type: z.literal("delay"),
    config: z.object({
      /** Milliseconds, or a reference to a number. */
      ms: z.union([
        z
          .number()
          .int()
          .min(0)
          .max(7 * 86_400_000),
        ZTemplate(300),
      ]),
    }),
  }),
  z.object({
    ...nodeBase,
    type: z.literal("approval"),
    config: z.object({
      message: ZTemplate(10_000).default("Approve to continue"),
      /** Unanswered this long: decided by onTimeout. */
      timeoutMs: z
        .number()
        .int()
        .min(1_000)
        .max(30 * 86_400_000)
        .optional(),
      onTimeout: z.enum(["reject", "approve"]).default("reject"),
    }),
  }),
  z.object({
    ...nodeBase,
    type: z.literal("subpipeline"),
    config: z.object({ pipelineId: z.uuid("Choose a pipeline"), inputs: z.record(z.string().max(200), ZJsonValue).default({}) }),
  }),
  z.object({
    ...nodeBase,
    type: z.literal("map"),
    config: z.object({
      /** A reference to a list; the sub-pipeline runs once per item. */
      items: ZTemplate(300).refine((value) => /^\{\{[^{}]+\}\}$/.test(value.trim()), "Reference a list, like {{nodes.fetch.output.items}}"),
      pipelineId: z.uuid("Choose a pipeline"),
      /** The sub-pipeline input that receives each item. */
      itemInput: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .max(64)
        .default("item"),
      inputs: z.record(z.string().max(200), ZJsonValue).default({}),
      concurrency: z.number().int().min(1).max(50).default(4),
      maxItems: z.number().int().min(1).max(1_000).default(100),
    }),
  }),
]);
export type PipelineNode = z.output<typeof ZPipelineNode>;

export const ZPipelineEdge = z.object({
  from: ZNodeId,
  to: ZNodeId,
  /** From a condition: "true" or "false"; from a node with onError "branch": "error" (or unset for success). */
  when: z.enum(["true", "false", "error"]).optional(),
});
export type PipelineEdge = z.output<typeof ZPipelineEdge>;

export const pipelineInputTypes = ["string", "number", "boolean", "object", "array"] as const;

export const ZPipelineInput = z.object({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "Input names are letters, digits and _, not starting with a digit"),
  type: z.enum(pipelineInputTypes).default("string"),
  required: z.boolean().default(false),
  default: ZJsonValue.optional(),
  description: ZLabel.optional(),
});
export type PipelineInput = z.output<typeof ZPipelineInput>;

/** The outer shape; nodes are checked one by one afterwards so every node's problems are reported. */
const ZDefinitionShape = z.object({
  inputs: z.array(z.unknown()).max(100).default([]),
  nodes: z.array(z.unknown()).min(1, "A pipeline needs at least one node").max(maxPipelineNodes),
  edges: z
    .array(z.unknown())
    .max(maxPipelineNodes * 10)
    .default([]),
  /** The whole run's limit; it is cancelled with reason "timeout" then. */
  timeoutMs: z
    .number()
    .int()
    .min(1_000)
    .max(30 * 86_400_000)
    .optional(),
});

export interface PipelineDefinition {
  inputs: PipelineInput[];
  nodes: PipelineNode[];
  edges: PipelineEdge[];
  timeoutMs?: number;
}

export interface DefinitionProblem {
  /** The node the problem belongs to, when it belongs to one. */
  nodeId?: string;
  /** Where inside the definition: "nodes.3.config.url", "edges.2", "inputs.0.name". */
  path: string;
  message: string;
}

/** What a node type's output is known to look like, for checking references to it. */
type Shape = "string" | "number" | "boolean" | "array" | "any" | { [field: string]: Shape };

const outputShapes: Record<PipelineNodeType, Shape> = {
  agent: { text: "string", taskId: "string", inputTokens: "number", outputTokens: "number", costMicros: "number" },
  tool: "any",
  condition: { result: "boolean", value: "any" },
  transform: "any",
  http: { status: "number", ok: "boolean", headers: "any", body: "any" },
  delay: { waitedMs: "number" },
  approval: { approved: "boolean", decidedBy: "any", comment: "any", timedOut: "boolean" },
  subpipeline: { runId: "string", output: "any" },
  map: { items: "array", count: "number", runIds: "array" },
};

function shapeName(shape: Shape): string {
  return typeof shape === "string" ? shape : "object";
}

/** Follows a reference's segments through a known shape: the shape at the end, or a message. */
function followShape(shape: Shape, segments: Array<string | number>): Shape | string {
  let current = shape;
  for (const segment of segments) {
    if (current === "any") return "any";
    if (typeof segment === "number") {
      if (current !== "array") return `is ${shapeName(current)}, not a list`;
      current = "any";
      continue;
    }
    if (typeof current === "string") return `is ${current}, it has no field "${segment}"`;
    const next = current[segment];
    if (next === undefined) return `has no field "${segment}" (it has ${Object.keys(current).join(", ")})`;
    current = next;
  }
  return current;
}

/** Fields whose reference must resolve to a given type. */
const expectedReferenceTypes: Partial<Record<PipelineNodeType, Record<string, Shape>>> = {
  delay: { ms: "number" },
  map: { items: "array" },
};

function findCycle(nodeIds: readonly string[], successors: ReadonlyMap<string, string[]>): string[] | null {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, "visiting");
    stack.push(id);
    for (const next of successors.get(id) ?? []) {
      const seen = state.get(next);
      if (seen === "visiting") return [...stack.slice(stack.indexOf(next)), next];
      if (seen === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, "done");
    return null;
  };
  for (const id of nodeIds) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return null;
}

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter(Boolean).join(".");
}

/** Upstream nodes of each node (transitively), for checking that references point upstream. */
export function ancestorsOf(nodeIds: readonly string[], edges: readonly PipelineEdge[]): Map<string, Set<string>> {
  const predecessors = new Map<string, string[]>(nodeIds.map((id) => [id, []]));
  for (const edge of edges) predecessors.get(edge.to)?.push(edge.from);
  const memo = new Map<string, Set<string>>();
  const resolve = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const result = new Set<string>();
    memo.set(id, result);
    for (const parent of predecessors.get(id) ?? []) {
      result.add(parent);
      for (const ancestor of resolve(parent)) result.add(ancestor);
    }
    return result;
  };
  for (const id of nodeIds) resolve(id);
  return memo;
}

export type DefinitionCheck = { ok: true; definition: PipelineDefinition } | { ok: false; problems: DefinitionProblem[] };

/** Validates a definition completely; never throws. */
export function checkPipelineDefinition(raw: unknown): DefinitionCheck {
  const problems: DefinitionProblem[] = [];
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(raw) ?? "", "utf8");
  } catch {
    return { ok: false, problems: [{ path: "", message: "The definition is not JSON" }] };
  }
  if (size > maxDefinitionBytes) {
    return {
      ok: false,
      problems: [
        {
          path: "",
          message: `The definition is ${size.toLocaleString("en")} bytes; the limit is ${maxDefinitionBytes.toLocaleString("en")}`,
        },
      ],
    };
  }
  const shape = ZDefinitionShape.safeParse(raw);
  if (!shape.success) {
    return { ok: false, problems: shape.error.issues.map((issue) => ({ path: issuePath("", issue.path), message: issue.message })) };
  }

  const nodes: PipelineNode[] = [];
  shape.data.nodes.forEach((rawNode, index) => {
    const parsed = ZPipelineNode.safeParse(rawNode);
    const rawId = rawNode && typeof rawNode === "object" && "id" in rawNode && typeof rawNode.id === "string" ? rawNode.id : undefined;
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ ...(rawId ? { nodeId: rawId } : {}), path: issuePath(`nodes.${index}`, issue.path), message: issue.message });
      }
      return;
    }
    nodes.push(parsed.data);
  });
  const inputs: PipelineInput[] = [];
  shape.data.inputs.forEach((rawInput, index) => {
    const parsed = ZPipelineInput.safeParse(rawInput);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ path: issuePath(`inputs.${index}`, issue.path), message: issue.message });
      return;
    }
    if (inputs.some((input) => input.name === parsed.data.name)) {
      problems.push({ path: `inputs.${index}.name`, message: `Two inputs are named ${parsed.data.name}` });
      return;
    }
    inputs.push(parsed.data);
  });

  const byId = new Map<string, PipelineNode>();
  const rawIds = shape.data.nodes.map((rawNode) =>
    rawNode && typeof rawNode === "object" && "id" in rawNode && typeof rawNode.id === "string" ? rawNode.id : undefined,
  );
  const seenIds = new Set<string>();
  rawIds.forEach((id, index) => {
    if (id === undefined) return;
    if (seenIds.has(id)) problems.push({ nodeId: id, path: `nodes.${index}.id`, message: `Two nodes have the id "${id}"` });
    seenIds.add(id);
  });
  for (const node of nodes) if (!byId.has(node.id)) byId.set(node.id, node);

  const edges: PipelineEdge[] = [];
  const edgeKeys = new Set<string>();
  shape.data.edges.forEach((rawEdge, index) => {
    const parsed = ZPipelineEdge.safeParse(rawEdge);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ path: issuePath(`edges.${index}`, issue.path), message: issue.message });
      return;
    }
    const edge = parsed.data;
    let isValid = true;
    for (const end of ["from", "to"] as const) {
      if (!seenIds.has(edge[end])) {
        problems.push({
          path: `edges.${index}.${end}`,
          message: `Edge ${edge.from} -> ${edge.to} refers to an unknown node "${edge[end]}"`,
        });
        isValid = false;
      }
    }
    if (edge.from === edge.to) {
      problems.push({ nodeId: edge.from, path: `edges.${index}`, message: `Node "${edge.from}" cannot depend on itself` });
      isValid = false;
    }
    const key = `${edge.from}->${edge.to}`;
    if (edgeKeys.has(key)) {
      problems.push({ nodeId: edge.to, path: `edges.${index}`, message: `The edge ${edge.from} -> ${edge.to} appears twice` });
      isValid = false;
    }
    edgeKeys.add(key);
    const source = byId.get(edge.from);
    if (source && isValid) {
      if (source.type === "condition" && edge.when !== "true" && edge.when !== "false" && edge.when !== "error") {
        problems.push({
          nodeId: edge.from,
          path: `edges.${index}.when`,
          message: `An edge from condition "${edge.from}" needs when: "true" or "false"`,
        });
        isValid = false;
      } else if (source.type !== "condition" && (edge.when === "true" || edge.when === "false")) {
        problems.push({ nodeId: edge.from, path: `edges.${index}.when`, message: `Only a condition's edges take when: "${edge.when}"` });
        isValid = false;
      } else if (edge.when === "error" && source.onError !== "branch") {
        problems.push({
          nodeId: edge.from,
          path: `edges.${index}.when`,
          message: `"${edge.from}" needs onError: "branch" for an error edge`,
        });
        isValid = false;
      }
    }
    if (isValid) edges.push(edge);
  });

  const successors = new Map<string, string[]>([...seenIds].map((id) => [id, []]));
  for (const edge of edges) successors.get(edge.from)?.push(edge.to);
  const cycle = findCycle([...seenIds], successors);
  if (cycle) {
    problems.push({ nodeId: cycle[0], path: "edges", message: `The pipeline has a cycle: ${cycle.join(" -> ")}` });
  }

  if (!cycle) {
    const ancestors = ancestorsOf([...seenIds], edges);
    const inputsByName = new Map(inputs.map((input) => [input.name, input]));
    nodes.forEach((node) => {
      const index = rawIds.indexOf(node.id);
      const upstream = ancestors.get(node.id) ?? new Set<string>();
      for (const reference of collectReferences(node.config)) {
        const at = `nodes.${index}.config${reference.field ? `.${reference.field}` : ""}`;
        const path = parseReferencePath(reference.text);
        if (typeof path === "string") {
          problems.push({ nodeId: node.id, path: at, message: path });
          continue;
        }
        let resolved: Shape | string;
        if (path.root === "inputs") {
          const name = path.segments[0];
          const input = typeof name === "string" ? inputsByName.get(name) : undefined;
          if (!input) {
            problems.push({
              nodeId: node.id,
              path: at,
              message: `{{${path.source}}} names no run input (declare "${String(name)}" under inputs)`,
            });
            continue;
          }
          const inputShape: Shape = input.type === "object" ? "any" : input.type;
          resolved = followShape(inputShape, path.segments.slice(1));
        } else {
          const [target, field, ...rest] = path.segments;
          const targetNode = typeof target === "string" ? byId.get(target) : undefined;
          if (typeof target !== "string" || !seenIds.has(target)) {
            problems.push({ nodeId: node.id, path: at, message: `{{${path.source}}} refers to an unknown node "${String(target)}"` });
            continue;
          }
          if (!upstream.has(target)) {
            problems.push({
              nodeId: node.id,
              path: at,
              message: `{{${path.source}}}: "${target}" is not upstream of "${node.id}"; connect it first`,
            });
            continue;
          }
          if (field !== "output") {
            problems.push({ nodeId: node.id, path: at, message: `{{${path.source}}}: write nodes.${target}.output...` });
            continue;
          }
          resolved = targetNode ? followShape(outputShapes[targetNode.type], rest) : "any";
          if (typeof resolved === "string" && !["string", "number", "boolean", "array", "any"].includes(resolved)) {
            problems.push({ nodeId: node.id, path: at, message: `{{${path.source}}}: the output of "${target}" ${resolved}` });
            continue;
          }
        }
        if (typeof resolved === "string" && !["string", "number", "boolean", "array", "any"].includes(resolved)) {
          problems.push({ nodeId: node.id, path: at, message: `{{${path.source}}}: the input ${resolved}` });
          continue;
        }
        const expected = expectedReferenceTypes[node.type]?.[reference.field];
        if (expected && reference.isWhole && resolved !== "any" && shapeName(resolved as Shape) !== shapeName(expected)) {
          problems.push({
            nodeId: node.id,
            path: at,
            message: `{{${path.source}}} is ${shapeName(resolved as Shape)}, but ${reference.field} needs ${shapeName(expected)}`,
          });
        }
      }
    });
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    definition: { inputs, nodes, edges, ...(shape.data.timeoutMs !== undefined ? { timeoutMs: shape.data.timeoutMs } : {}) },
  };
}

/** Validates or throws VALIDATION_FAILED with every problem in `details.problems`. */
export function parsePipelineDefinition(raw: unknown): PipelineDefinition {
  const check = checkPipelineDefinition(raw);
  if (!check.ok) {
    const first = check.problems[0];
    throw new AppError(
      "VALIDATION_FAILED",
      `The pipeline has ${check.problems.length} problem${check.problems.length === 1 ? "" : "s"}${first ? `; first: ${first.nodeId ? `${first.nodeId}: ` : ""}${first.message}` : ""}`,
      { problems: check.problems },
    );
  }
  return check.definition;
}

/** Builds the zod schema of a run's inputs from the definition's declared inputs. */
export function runInputsSchema(inputs: readonly PipelineInput[]): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const input of inputs) {
    const base: z.ZodType =
      input.type === "string"
        ? z.string().max(1_000_000)
        : input.type === "number"
          ? z.number().finite()
          : input.type === "boolean"
            ? z.boolean()
            : input.type === "array"
              ? z.array(z.unknown()).max(10_000)
              : z.record(z.string(), z.unknown());
    shape[input.name] = input.default !== undefined ? base.default(input.default) : input.required ? base : base.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodType<Record<string, unknown>>;
}
