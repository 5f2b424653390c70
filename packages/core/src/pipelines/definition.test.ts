/** The definition validator: every problem listed with its node, cycles named by their path, references checked. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPipelineDefinition, parsePipelineDefinition, runInputsSchema } from "./definition";
import { resolveReferences } from "./references";

const transform = (id: string, expression = "inputs") => ({ id, type: "transform", config: { expression } });

function problemsOf(definition: unknown) {
  const check = checkPipelineDefinition(definition);
  if (check.ok) throw new Error("expected problems");
  return check.problems;
}

describe("checkPipelineDefinition", () => {
  it("accepts a valid DAG and fills defaults", () => {
    const check = checkPipelineDefinition({
      nodes: [transform("a"), { id: "b", type: "http", config: { url: "https://example.com/{{nodes.a.output}}" } }],
      edges: [{ from: "a", to: "b" }],
    });
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.definition.nodes[1]).toMatchObject({ onError: "fail", config: { method: "GET", headers: {} } });
  });

  it("names the cycle's path", () => {
    const problems = problemsOf({
      nodes: [transform("a"), transform("b"), transform("c"), transform("d")],
      edges: [
        { from: "a", to: "b" },
        { from: "b", to: "c" },
        { from: "c", to: "d" },
        { from: "d", to: "b" },
      ],
    });
    expect(problems).toContainEqual(expect.objectContaining({ message: "The pipeline has a cycle: b -> c -> d -> b" }));
  });

  it("lists every problem at once, each with its node", () => {
    const problems = problemsOf({
      nodes: [
        transform("a"),
        transform("a"),
        { id: "bad-type", type: "teleport", config: {} },
        { id: "no-url", type: "http", config: { url: "" } },
        { id: "bad-expr", type: "condition", config: { expression: "a.[" } },
        { id: "Upper", type: "transform", config: { expression: "x" } },
      ],
      edges: [{ from: "a", to: "ghost" }],
    });
    const byNode = (nodeId: string) => problems.filter((problem) => problem.nodeId === nodeId);
    expect(byNode("a")[0]?.message).toContain('Two nodes have the id "a"');
    expect(byNode("bad-type")).toHaveLength(1);
    expect(byNode("no-url")[0]).toMatchObject({ path: "nodes.3.config.url", message: "Enter a URL" });
    expect(byNode("bad-expr")[0]?.message).toContain("Not a valid expression");
    expect(byNode("Upper")[0]?.message).toContain("lower-case");
    expect(problems).toContainEqual(
      expect.objectContaining({ path: "edges.0.to", message: expect.stringContaining('unknown node "ghost"') }),
    );
  });

  it("refuses references to unknown nodes, to nodes not upstream and to undeclared inputs", () => {
    const problems = problemsOf({
      inputs: [{ name: "topic", type: "string" }],
      nodes: [
        transform("a"),
        transform("side"),
        {
          id: "b",
          type: "http",
          config: { url: "https://x.test/{{nodes.side.output}}/{{nodes.nope.output}}/{{inputs.missing}}/{{inputs.topic}}" },
        },
      ],
      edges: [{ from: "a", to: "b" }],
    });
    const messages = problems.map((problem) => problem.message);
    expect(messages).toContainEqual(expect.stringContaining('"side" is not upstream of "b"'));
    expect(messages).toContainEqual(expect.stringContaining('unknown node "nope"'));
    expect(messages).toContainEqual(expect.stringContaining('names no run input (declare "missing"'));
    expect(problems.every((problem) => problem.nodeId === "b")).toBe(true);
    expect(problems).toHaveLength(3);
  });

  it("checks fields and types of outputs it knows", () => {
    const problems = problemsOf({
      inputs: [{ name: "label", type: "string" }],
      nodes: [
        { id: "fetch", type: "http", config: { url: "https://x.test" } },
        { id: "wait", type: "delay", config: { ms: "{{nodes.fetch.output.status}}" } },
        { id: "typo", type: "delay", config: { ms: "{{nodes.fetch.output.stauts}}" } },
        { id: "wrong", type: "delay", config: { ms: "{{inputs.label}}" } },
        { id: "deep", type: "transform", config: { expression: "`1`" } },
        { id: "text", type: "delay", config: { ms: "{{nodes.fetch.output.status.code}}" } },
      ],
      edges: [
        { from: "fetch", to: "wait" },
        { from: "fetch", to: "typo" },
        { from: "fetch", to: "text" },
      ],
    });
    expect(problems.find((problem) => problem.nodeId === "wait")).toBeUndefined();
    expect(problems.find((problem) => problem.nodeId === "typo")?.message).toContain('has no field "stauts"');
    expect(problems.find((problem) => problem.nodeId === "wrong")?.message).toContain("is string, but ms needs number");
    expect(problems.find((problem) => problem.nodeId === "text")?.message).toContain('is number, it has no field "code"');
  });

  it("checks edges against node kinds", () => {
    const problems = problemsOf({
      nodes: [{ id: "if", type: "condition", config: { expression: "inputs" } }, transform("a"), transform("b")],
      edges: [
        { from: "if", to: "a" },
        { from: "a", to: "b", when: "true" },
        { from: "b", to: "a", when: "error" },
      ],
    });
    const messages = problems.map((problem) => problem.message);
    expect(messages).toContainEqual(expect.stringContaining('needs when: "true" or "false"'));
    expect(messages).toContainEqual(expect.stringContaining('Only a condition\'s edges take when: "true"'));
    expect(messages).toContainEqual(expect.stringContaining('needs onError: "branch" for an error edge'));
  });

  it("refuses a definition over 1 MB before looking inside", () => {
    const big = { nodes: [{ id: "a", type: "transform", config: { expression: "inputs" }, label: "x".repeat(5_000_000) }] };
    const problems = problemsOf(big);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain("limit is 1,000,000");
  });

  it("refuses empty pipelines and non-objects", () => {
    expect(problemsOf({ nodes: [] })[0]?.message).toBe("A pipeline needs at least one node");
    expect(problemsOf("nodes")).not.toHaveLength(0);
    expect(() => parsePipelineDefinition(null)).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });

  it("accepts every generated DAG and finds a cycle whenever a back edge is added", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 25 }).chain((count) =>
          fc.tuple(
            fc.constant(count),
            fc.uniqueArray(
              fc.tuple(fc.integer({ min: 0, max: count - 1 }), fc.integer({ min: 0, max: count - 1 })).filter(([a, b]) => a < b),
              { selector: ([a, b]) => `${a}-${b}`, maxLength: 60 },
            ),
          ),
        ),
        ([count, pairs]) => {
          const nodes = Array.from({ length: count }, (_, index) => transform(`n${index}`));
          const edges = pairs.map(([from, to]) => ({ from: `n${from}`, to: `n${to}` }));
          expect(checkPipelineDefinition({ nodes, edges }).ok).toBe(true);
          const forward = pairs[0];
          if (!forward) return;
          const back = { from: `n${forward[1]}`, to: `n${forward[0]}` };
          const problems = problemsOf({ nodes, edges: [...edges, back] });
          const cycle = problems.find((problem) => problem.message.startsWith("The pipeline has a cycle: "));
          expect(cycle).toBeDefined();
          // The named path is a real cycle: consecutive pairs are edges, and it ends where it starts.
          const path = (cycle?.message ?? "").replace("The pipeline has a cycle: ", "").split(" -> ");
          const all = new Set([...edges, back].map((edge) => `${edge.from}->${edge.to}`));
          expect(path[0]).toBe(path.at(-1));
          for (let index = 1; index < path.length; index += 1) expect(all.has(`${path[index - 1]}->${path[index]}`)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("references and run inputs", () => {
  const scope = { inputs: { n: 3, tags: ["a", "b"] }, nodes: { fetch: { output: { body: { items: [{ id: 7 }] }, status: 200 } } } };

  it("keeps the type of a whole-value reference and interpolates inside text", () => {
    expect(resolveReferences("{{nodes.fetch.output.status}}", scope)).toBe(200);
    expect(resolveReferences("{{ nodes.fetch.output.body.items[0].id }}", scope)).toBe(7);
    expect(resolveReferences("n={{inputs.n}} tags={{inputs.tags}}", scope)).toBe('n=3 tags=["a","b"]');
    expect(resolveReferences({ deep: ["{{inputs.tags[1]}}"] }, scope)).toEqual({ deep: ["b"] });
    expect(resolveReferences("{{inputs.missing}}", scope)).toBeNull();
    // Prototype names are not properties of the data.
    expect(resolveReferences("{{inputs.constructor}}", scope)).toBeNull();
  });

  it("validates a run's inputs against the declared ones", () => {
    const schema = runInputsSchema([
      { name: "topic", type: "string", required: true },
      { name: "count", type: "number", required: false, default: 2 },
    ]);
    expect(schema.parse({ topic: "owls" })).toEqual({ topic: "owls", count: 2 });
    expect(schema.safeParse({}).success).toBe(false);
    expect(schema.safeParse({ topic: 1 }).success).toBe(false);
    expect(schema.safeParse({ topic: "x", extra: true }).success).toBe(false);
  });
});
