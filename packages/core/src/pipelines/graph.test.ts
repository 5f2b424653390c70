/** What the engine reads for a node: only the upstream outputs its configuration names. */
import { describe, expect, it } from "vitest";
import { parsePipelineDefinition } from "./definition";
import { buildGraph, descendantsOf } from "./graph";

const graph = buildGraph(
  parsePipelineDefinition({
    nodes: [
      { id: "a", type: "transform", config: { expression: "inputs" } },
      { id: "b-2", type: "transform", config: { expression: "inputs" } },
      { id: "named", type: "transform", config: { mapping: { x: "nodes.a.output", y: 'nodes."b-2".output.z' } } },
      { id: "wild", type: "condition", config: { expression: "length(keys(nodes)) > `1`" } },
      { id: "http", type: "http", config: { url: "https://x.test/{{nodes.a.output.id}}" } },
      { id: "end", type: "delay", config: { ms: 0 } },
    ],
    edges: [
      { from: "a", to: "b-2" },
      { from: "b-2", to: "named" },
      { from: "b-2", to: "wild" },
      { from: "a", to: "http" },
      { from: "wild", to: "end", when: "true" },
    ],
  }),
);

describe("buildGraph", () => {
  it("reads only the nodes an expression or a reference names", () => {
    expect([...(graph.scopeNodes.get("named") ?? [])].sort()).toEqual(["a", "b-2"]);
    expect(graph.scopeNodes.get("http")).toEqual(["a"]);
    expect(graph.scopeNodes.get("end")).toEqual([]);
  });

  it("gives an expression that uses nodes as a whole every upstream node", () => {
    expect([...(graph.scopeNodes.get("wild") ?? [])].sort()).toEqual(["a", "b-2"]);
  });

  it("knows sinks and descendants", () => {
    expect([...graph.sinks].sort()).toEqual(["end", "http", "named"]);
    expect([...descendantsOf(graph, "b-2")].sort()).toEqual(["b-2", "end", "named", "wild"]);
  });
});
