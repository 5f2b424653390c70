import { checkPipelineDefinition } from "@gathering/core/browser";
import { describe, expect, it } from "vitest";
import { definitionOfFlow, flowEdge, flowOfDefinition, LAYER_GAP, sourceHandlesOf } from "./graph";
import { inputsOfDrafts, parseInputValue } from "./inputs";

const definition = {
  inputs: [{ name: "amount", type: "number", required: true }],
  nodes: [
    { id: "fetch", type: "http", config: { method: "GET", url: "https://example.com/{{inputs.amount}}", headers: {} }, onError: "branch" },
    { id: "check", type: "condition", config: { expression: "nodes.fetch.output.status == `200`" }, position: { x: 40, y: 300 } },
    { id: "ask", type: "approval", config: { message: "Go?", onTimeout: "reject" } },
    { id: "report", type: "transform", config: { mapping: { status: "nodes.fetch.output.status" } } },
  ],
  edges: [
    { from: "fetch", to: "check" },
    { from: "fetch", to: "report", when: "error" },
    { from: "check", to: "ask", when: "true" },
  ],
};

describe("flowOfDefinition and definitionOfFlow", () => {
  it("round-trip a definition: nodes, configs, policies, edge conditions and positions, and it stays valid", () => {
    const flow = flowOfDefinition(definition);
    const back = definitionOfFlow(flow.nodes, flow.edges, { inputs: definition.inputs });
    expect(back.edges).toEqual(definition.edges);
    expect(back.nodes.map(({ position: _position, ...node }) => node)).toEqual(
      definition.nodes.map(({ position: _position, ...node }) => node),
    );
    // A stored position is kept; the others are laid out by depth, one layer per step down.
    expect(back.nodes.find((node) => node.id === "check")?.position).toEqual({ x: 40, y: 300 });
    expect(back.nodes.find((node) => node.id === "fetch")?.position).toEqual({ x: 0, y: 0 });
    expect(back.nodes.find((node) => node.id === "ask")?.position).toEqual({ x: 0, y: 2 * LAYER_GAP });
    expect(checkPipelineDefinition(back)).toMatchObject({ ok: true });
  });

  it("stores the place a node was dragged to, rounded", () => {
    const flow = flowOfDefinition(definition);
    const moved = flow.nodes.map((node) => (node.id === "ask" ? { ...node, position: { x: 12.6, y: -40.2 } } : node));
    const back = definitionOfFlow(moved, flow.edges, { inputs: [] });
    expect(back.nodes.find((node) => node.id === "ask")?.position).toEqual({ x: 13, y: -40 });
  });

  it("an edge dragged from a handle carries that handle's condition", () => {
    expect(flowEdge("check", "ask", "false")).toMatchObject({ id: "check->ask", sourceHandle: "false", data: { when: "false" } });
    expect(flowEdge("a", "b", undefined)).toMatchObject({ sourceHandle: "out", data: {} });
  });
});

describe("sourceHandlesOf", () => {
  const flow = flowOfDefinition(definition);
  const nodeOf = (id: string) => {
    const node = flow.nodes.find((candidate) => candidate.id === id)?.data.node;
    if (!node) throw new Error(`no node ${id}`);
    return node;
  };

  it("gives a condition true and false, and a node that branches on error an error handle", () => {
    expect(sourceHandlesOf(nodeOf("check"), flow.edges)).toEqual(["true", "false"]);
    expect(sourceHandlesOf(nodeOf("fetch"), flow.edges)).toEqual(["out", "error"]);
    expect(sourceHandlesOf(nodeOf("ask"), flow.edges)).toEqual(["out"]);
  });

  it("keeps the handle an existing edge leaves from, so the edge stays drawn while the validator explains it", () => {
    expect(sourceHandlesOf({ ...nodeOf("fetch"), onError: "fail" }, flow.edges)).toEqual(["out", "error"]);
    expect(checkPipelineDefinition(definitionOfFlow(flow.nodes, flow.edges, { inputs: [] }))).toMatchObject({ ok: false });
  });
});

describe("inputs", () => {
  it("parses a run input's text by its type, and says what is wrong", () => {
    expect(parseInputValue({ name: "n", type: "number", required: true }, "42")).toEqual({ value: 42 });
    expect(parseInputValue({ name: "n", type: "number", required: true }, "")).toEqual({ error: "n is required" });
    expect(parseInputValue({ name: "n", type: "number", required: false }, "")).toEqual({});
    expect(parseInputValue({ name: "n", type: "number", required: false }, "four")).toEqual({ error: "Enter a number" });
    expect(parseInputValue({ name: "l", type: "array", required: false }, '{"a":1}')).toEqual({ error: "Enter a JSON list, like [1, 2]" });
    expect(parseInputValue({ name: "o", type: "object", required: false }, '{"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseInputValue({ name: "b", type: "boolean", required: true }, "")).toEqual({ value: false });
  });

  it("declares defaults typed, and reports a default that does not parse at its path", () => {
    const result = inputsOfDrafts([
      { key: 1, name: "limit", type: "number", required: false, defaultText: "10", description: "" },
      { key: 2, name: "tags", type: "array", required: false, defaultText: "[oops", description: "" },
    ]);
    expect(result.inputs[0]).toEqual({ name: "limit", type: "number", required: false, default: 10 });
    expect(result.problems).toEqual([{ path: "inputs.1.default", message: "Default of tags: Not valid JSON" }]);
  });
});
