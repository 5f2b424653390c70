/**
 * A pipeline version as the engine walks it: nodes by id, edges in and out, what each node's
 * configuration references. Versions never change, so a graph is built once per version and cached.
 */
import { ancestorsOf, type PipelineDefinition, type PipelineEdge, type PipelineNode } from "./definition";
import { collectReferences, parseReferencePath } from "./references";

export interface PipelineGraph {
  definition: PipelineDefinition;
  nodes: ReadonlyMap<string, PipelineNode>;
  outgoing: ReadonlyMap<string, readonly PipelineEdge[]>;
  incoming: ReadonlyMap<string, readonly PipelineEdge[]>;
  ancestors: ReadonlyMap<string, ReadonlySet<string>>;
  /** Upstream nodes whose outputs a node's configuration names; expression nodes see all ancestors. */
  scopeNodes: ReadonlyMap<string, readonly string[]>;
  /** Nodes without outgoing edges: their outputs are the run's output. */
  sinks: readonly string[];
}

/**
 * The upstream nodes an expression reads as `nodes.<id>` or `nodes."<id>"`; null when it uses `nodes`
 * some other way (`nodes.*`, `keys(nodes)`), and then it gets every upstream node's output.
 */
function nodesNamedIn(expression: string, upstream: ReadonlySet<string>): string[] | null {
  const uses = expression.match(/\bnodes\b/g)?.length ?? 0;
  const named = [...expression.matchAll(/\bnodes\s*\.\s*(?:"([^"\\]+)"|([A-Za-z_][A-Za-z0-9_]*))/g)].map(
    (match) => match[1] ?? match[2] ?? "",
  );
  if (named.length !== uses || named.some((id) => !upstream.has(id))) return null;
  return named;
}

export function buildGraph(definition: PipelineDefinition): PipelineGraph {
  const nodes = new Map(definition.nodes.map((node) => [node.id, node]));
  const outgoing = new Map<string, PipelineEdge[]>(definition.nodes.map((node) => [node.id, []]));
  const incoming = new Map<string, PipelineEdge[]>(definition.nodes.map((node) => [node.id, []]));
  for (const edge of definition.edges) {
    outgoing.get(edge.from)?.push(edge);
    incoming.get(edge.to)?.push(edge);
  }
  const ancestors = ancestorsOf([...nodes.keys()], definition.edges);
  const scopeNodes = new Map<string, string[]>();
  for (const node of definition.nodes) {
    if (node.type === "condition" || node.type === "transform") {
      const expressions =
        node.type === "condition" ? [node.config.expression] : [node.config.expression ?? "", ...Object.values(node.config.mapping ?? {})];
      const upstream = ancestors.get(node.id) ?? new Set<string>();
      const named = expressions.map((expression) => nodesNamedIn(expression, upstream));
      scopeNodes.set(node.id, named.includes(null) ? [...upstream] : [...new Set(named.flatMap((ids) => ids ?? []))]);
      continue;
    }
    const named = new Set<string>();
    for (const reference of collectReferences(node.config)) {
      const path = parseReferencePath(reference.text);
      if (typeof path !== "string" && path.root === "nodes" && typeof path.segments[0] === "string") named.add(path.segments[0]);
    }
    scopeNodes.set(node.id, [...named]);
  }
  const sinks = definition.nodes.filter((node) => (outgoing.get(node.id)?.length ?? 0) === 0).map((node) => node.id);
  return { definition, nodes, outgoing, incoming, ancestors, scopeNodes, sinks };
}

/** Whether an edge is taken, given how its source ended: the branch a condition took, "error", or null for plain success. */
export function isEdgeTaken(edge: PipelineEdge, branch: string | null): boolean {
  if (edge.when === undefined) return branch !== "error";
  return edge.when === branch;
}

/** The node and everything downstream of it. */
export function descendantsOf(graph: PipelineGraph, nodeId: string): Set<string> {
  const found = new Set<string>([nodeId]);
  const queue = [nodeId];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const edge of graph.outgoing.get(current) ?? []) {
      if (!found.has(edge.to)) {
        found.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return found;
}

const cache = new Map<string, PipelineGraph>();
const maxCachedGraphs = 500;

/** The graph of a version, built once per process (versions are immutable). */
export function graphOfVersion(versionId: string, definition: () => PipelineDefinition): PipelineGraph {
  const known = cache.get(versionId);
  if (known) return known;
  const graph = buildGraph(definition());
  if (cache.size >= maxCachedGraphs) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(versionId, graph);
  return graph;
}

export function cachedGraph(versionId: string): PipelineGraph | undefined {
  return cache.get(versionId);
}
