/**
 * What grew between two V8 heap snapshots of one process (`npm run soak -- --heap-snapshots <dir>`
 * writes them after warm-up and near the end):
 *
 *   tsx bench/chaos/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [--top 25] [--paths 3]
 *
 * Per class (constructor name, or V8's "(string)", "(array)", "(closure)"…) it prints instances,
 * self size and retained size in both, largest growth first; then the objects present only in the
 * later snapshot (node ids are stable between snapshots of one process), by class; then, for the
 * classes that grew most, the retainer path of a few of the new objects from the GC roots, which
 * names the map or list holding them. Retained sizes come from the dominator tree (weak edges do not
 * retain). Parsing a snapshot takes a few hundred MB of heap: run it with
 * NODE_OPTIONS=--max-old-space-size=4096 for big ones.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
    node_count: number;
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapGraph {
  count: number;
  /** Per node (by ordinal): class name, V8 object id, self size, first edge, edge count. */
  className: string[];
  id: Float64Array;
  selfSize: Float64Array;
  name: string[];
  type: string[];
  firstEdge: Uint32Array;
  edgeCount: Uint32Array;
  /** Per edge: target node ordinal, type, name. */
  edgeTarget: Uint32Array;
  edgeType: string[];
  edgeName: string[];
  retainedSize: Float64Array;
  dominator: Int32Array;
}

function classOf(type: string, name: string): string {
  switch (type) {
    case "object":
    case "native":
      return name || `(${type})`;
    case "string":
    case "concatenated string":
    case "sliced string":
      return "(string)";
    case "closure":
      return "(closure)";
    case "array":
      return "(array)";
    case "code":
      return "(compiled code)";
    case "hidden":
    case "object shape":
      return "(system)";
    case "regexp":
      return "(regexp)";
    case "number":
    case "heap number":
      return "(number)";
    default:
      return `(${type})`;
  }
}

export function loadHeapGraph(file: string): HeapGraph {
  const raw = JSON.parse(readFileSync(file, "utf8")) as RawSnapshot;
  const { meta } = raw.snapshot;
  const nodeFieldCount = meta.node_fields.length;
  const edgeFieldCount = meta.edge_fields.length;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const field = (fields: string[], wanted: string) => {
    const index = fields.indexOf(wanted);
    if (index < 0) throw new Error(`snapshot has no ${wanted} field`);
    return index;
  };
  const nType = field(meta.node_fields, "type");
  const nName = field(meta.node_fields, "name");
  const nId = field(meta.node_fields, "id");
  const nSelf = field(meta.node_fields, "self_size");
  const nEdges = field(meta.node_fields, "edge_count");
  const eType = field(meta.edge_fields, "type");
  const eName = field(meta.edge_fields, "name_or_index");
  const eTo = field(meta.edge_fields, "to_node");

  const count = raw.nodes.length / nodeFieldCount;
  const edgeTotal = raw.edges.length / edgeFieldCount;
  const graph: HeapGraph = {
    count,
    className: new Array(count),
    id: new Float64Array(count),
    selfSize: new Float64Array(count),
    name: new Array(count),
    type: new Array(count),
    firstEdge: new Uint32Array(count + 1),
    edgeCount: new Uint32Array(count),
    edgeTarget: new Uint32Array(edgeTotal),
    edgeType: new Array(edgeTotal),
    edgeName: new Array(edgeTotal),
    retainedSize: new Float64Array(count),
    dominator: new Int32Array(count),
  };
  let edge = 0;
  for (let node = 0; node < count; node += 1) {
    const base = node * nodeFieldCount;
    const type = nodeTypes[raw.nodes[base + nType] as number] ?? "unknown";
    const name = raw.strings[raw.nodes[base + nName] as number] ?? "";
    graph.type[node] = type;
    graph.name[node] = name;
    graph.className[node] = classOf(type, name);
    graph.id[node] = raw.nodes[base + nId] as number;
    graph.selfSize[node] = raw.nodes[base + nSelf] as number;
    const edges = raw.nodes[base + nEdges] as number;
    graph.firstEdge[node] = edge;
    graph.edgeCount[node] = edges;
    for (let index = 0; index < edges; index += 1, edge += 1) {
      const edgeBase = edge * edgeFieldCount;
      const edgeTypeName = edgeTypes[raw.edges[edgeBase + eType] as number] ?? "unknown";
      const nameOrIndex = raw.edges[edgeBase + eName] as number;
      graph.edgeType[edge] = edgeTypeName;
      graph.edgeName[edge] =
        edgeTypeName === "element" || edgeTypeName === "hidden" ? `[${nameOrIndex}]` : (raw.strings[nameOrIndex] ?? String(nameOrIndex));
      graph.edgeTarget[edge] = (raw.edges[edgeBase + eTo] as number) / nodeFieldCount;
    }
  }
  graph.firstEdge[count] = edge;
  computeDominators(graph);
  return graph;
}

const isRetaining = (edgeType: string) => edgeType !== "weak";

/** Cooper, Harvey and Kennedy's iterative dominators over the retaining edges, from node 0 (the root). */
function computeDominators(graph: HeapGraph): void {
  const { count } = graph;
  // Depth-first post order from the root, iteratively.
  const postOrder = new Int32Array(count).fill(-1);
  const order: number[] = [];
  const visited = new Uint8Array(count);
  const stackNode: number[] = [0];
  const stackEdge: number[] = [graph.firstEdge[0] as number];
  visited[0] = 1;
  while (stackNode.length > 0) {
    const top = stackNode.length - 1;
    const node = stackNode[top] as number;
    const edge = stackEdge[top] as number;
    if (edge < (graph.firstEdge[node] as number) + (graph.edgeCount[node] as number)) {
      stackEdge[top] = edge + 1;
      const target = graph.edgeTarget[edge] as number;
      if (!visited[target] && isRetaining(graph.edgeType[edge] as string)) {
        visited[target] = 1;
        stackNode.push(target);
        stackEdge.push(graph.firstEdge[target] as number);
      }
    } else {
      postOrder[node] = order.length;
      order.push(node);
      stackNode.pop();
      stackEdge.pop();
    }
  }
  // Predecessors (retainers) in compressed rows.
  const predecessorCount = new Uint32Array(count + 1);
  for (let node = 0; node < count; node += 1) {
    if (!visited[node]) continue;
    const end = (graph.firstEdge[node] as number) + (graph.edgeCount[node] as number);
    for (let edge = graph.firstEdge[node] as number; edge < end; edge += 1)
      if (isRetaining(graph.edgeType[edge] as string)) {
        const slot = (graph.edgeTarget[edge] as number) + 1;
        predecessorCount[slot] = (predecessorCount[slot] as number) + 1;
      }
  }
  for (let node = 0; node < count; node += 1)
    predecessorCount[node + 1] = (predecessorCount[node + 1] as number) + (predecessorCount[node] as number);
  const predecessors = new Uint32Array(predecessorCount[count] as number);
  const fill = predecessorCount.slice(0, count);
  for (let node = 0; node < count; node += 1) {
    if (!visited[node]) continue;
    const end = (graph.firstEdge[node] as number) + (graph.edgeCount[node] as number);
    for (let edge = graph.firstEdge[node] as number; edge < end; edge += 1) {
      if (!isRetaining(graph.edgeType[edge] as string)) continue;
      const target = graph.edgeTarget[edge] as number;
      const slot = fill[target] as number;
      predecessors[slot] = node;
      fill[target] = slot + 1;
    }
  }
  const dominator = graph.dominator;
  dominator.fill(-1);
  dominator[0] = 0;
  const intersect = (a: number, b: number) => {
    let left = a;
    let right = b;
    while (left !== right) {
      while ((postOrder[left] as number) < (postOrder[right] as number)) left = dominator[left] as number;
      while ((postOrder[right] as number) < (postOrder[left] as number)) right = dominator[right] as number;
    }
    return left;
  };
  for (let isChanged = true; isChanged; ) {
    isChanged = false;
    // Reverse post order, root excluded.
    for (let index = order.length - 2; index >= 0; index -= 1) {
      const node = order[index] as number;
      let chosen = -1;
      for (let slot = predecessorCount[node] as number; slot < (predecessorCount[node + 1] as number); slot += 1) {
        const predecessor = predecessors[slot] as number;
        if (dominator[predecessor] === -1) continue;
        chosen = chosen === -1 ? predecessor : intersect(predecessor, chosen);
      }
      if (chosen !== -1 && dominator[node] !== chosen) {
        dominator[node] = chosen;
        isChanged = true;
      }
    }
  }
  // Retained size: own size plus everything it dominates, children before parents (post order).
  const retained = graph.retainedSize;
  for (let node = 0; node < count; node += 1) retained[node] = visited[node] ? (graph.selfSize[node] as number) : 0;
  for (const node of order) {
    if (node === 0) continue;
    const parent = dominator[node] as number;
    if (parent >= 0) retained[parent] = (retained[parent] as number) + (retained[node] as number);
  }
}

export interface ClassSummary {
  className: string;
  count: number;
  selfSize: number;
  /** Retained size of the instances not dominated by another instance of the class (no double counting). */
  retainedSize: number;
}

export function summarizeByClass(graph: HeapGraph, only?: (node: number) => boolean): Map<string, ClassSummary> {
  const summaries = new Map<string, ClassSummary>();
  for (let node = 1; node < graph.count; node += 1) {
    if (graph.dominator[node] === -1 || (only && !only(node))) continue;
    const className = graph.className[node] as string;
    let summary = summaries.get(className);
    if (!summary) {
      summary = { className, count: 0, selfSize: 0, retainedSize: 0 };
      summaries.set(className, summary);
    }
    summary.count += 1;
    summary.selfSize += graph.selfSize[node] as number;
    let isTopLevel = true;
    for (let up = graph.dominator[node] as number; up > 0; up = graph.dominator[up] as number) {
      if (graph.className[up] === className) {
        isTopLevel = false;
        break;
      }
    }
    if (isTopLevel) summary.retainedSize += graph.retainedSize[node] as number;
  }
  return summaries;
}

/** Shortest retaining path from the root to a node, as `Class.edge -> Class.edge -> …`. */
export function retainerPath(graph: HeapGraph, target: number): string {
  const parent = new Int32Array(graph.count).fill(-1);
  const parentEdge = new Int32Array(graph.count).fill(-1);
  parent[0] = 0;
  const queue = [0];
  for (let head = 0; head < queue.length; head += 1) {
    const node = queue[head] as number;
    if (node === target) break;
    const end = (graph.firstEdge[node] as number) + (graph.edgeCount[node] as number);
    for (let edge = graph.firstEdge[node] as number; edge < end; edge += 1) {
      const edgeType = graph.edgeType[edge] as string;
      if (!isRetaining(edgeType) || edgeType === "shortcut") continue;
      const next = graph.edgeTarget[edge] as number;
      if (parent[next] !== -1) continue;
      parent[next] = node;
      parentEdge[next] = edge;
      queue.push(next);
    }
  }
  if (parent[target] === -1) return "(unreachable)";
  const steps: string[] = [];
  for (let node = target; node !== 0; node = parent[node] as number) {
    const edge = parentEdge[node] as number;
    steps.push(`${graph.className[parent[node] as number]}.${graph.edgeName[edge]}`);
  }
  const name = graph.name[target] as string;
  return `${steps.reverse().join(" -> ")} => ${graph.className[target]}${name && name !== graph.className[target] ? ` "${name.slice(0, 60)}"` : ""}`;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string" }, paths: { type: "string" } },
  });
  const [beforeFile, afterFile] = positionals;
  if (!beforeFile || !afterFile) {
    console.log("usage: tsx bench/chaos/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [--top 25] [--paths 3]");
    process.exitCode = 2;
    return;
  }
  const top = Number(values.top ?? 25);
  const pathsPerClass = Number(values.paths ?? 3);
  const before = loadHeapGraph(beforeFile);
  const after = loadHeapGraph(afterFile);
  const totalOf = (graph: HeapGraph) => {
    let total = 0;
    for (let node = 0; node < graph.count; node += 1) if (graph.dominator[node] !== -1) total += graph.selfSize[node] as number;
    return total;
  };
  console.log(`reachable heap: ${mb(totalOf(before))} MB (${before.count} nodes) -> ${mb(totalOf(after))} MB (${after.count} nodes)\n`);

  const beforeClasses = summarizeByClass(before);
  const afterClasses = summarizeByClass(after);
  const rows = [...new Set([...beforeClasses.keys(), ...afterClasses.keys()])].map((className) => {
    const a = beforeClasses.get(className) ?? { className, count: 0, selfSize: 0, retainedSize: 0 };
    const b = afterClasses.get(className) ?? { className, count: 0, selfSize: 0, retainedSize: 0 };
    return { className, a, b, selfGrowth: b.selfSize - a.selfSize };
  });
  rows.sort((x, y) => y.selfGrowth - x.selfGrowth);
  console.log("by class, largest growth of self size first (count, self KB, retained KB: before -> after)");
  for (const row of rows.slice(0, top))
    console.log(
      `  ${row.className.slice(0, 48).padEnd(48)} ${String(row.a.count).padStart(7)} -> ${String(row.b.count).padStart(7)}   self ${kb(row.a.selfSize).padStart(9)} -> ${kb(row.b.selfSize).padStart(9)}   retained ${kb(row.a.retainedSize).padStart(9)} -> ${kb(row.b.retainedSize).padStart(9)}`,
    );

  const oldIds = new Set<number>();
  for (let node = 0; node < before.count; node += 1) oldIds.add(before.id[node] as number);
  const isNew = (node: number) => !oldIds.has(after.id[node] as number);
  const fresh = [...summarizeByClass(after, isNew).values()].sort((x, y) => y.selfSize - x.selfSize);
  const freshTotal = fresh.reduce((sum, item) => sum + item.selfSize, 0);
  console.log(`\nobjects only in the later snapshot: ${mb(freshTotal)} MB self, by class`);
  for (const item of fresh.slice(0, top))
    console.log(
      `  ${item.className.slice(0, 48).padEnd(48)} ${String(item.count).padStart(7)}   self ${kb(item.selfSize).padStart(9)} KB   retained (top-level) ${kb(item.retainedSize).padStart(9)} KB`,
    );

  if (pathsPerClass > 0) {
    console.log("\nretainer paths of new objects of the classes that grew most (shortest path from the root)");
    for (const item of fresh.slice(0, 6)) {
      const samples: number[] = [];
      // Spread the samples over the class's new instances, not only the first ones.
      const members: number[] = [];
      for (let node = 1; node < after.count; node += 1)
        if (after.className[node] === item.className && isNew(node) && after.dominator[node] !== -1) members.push(node);
      for (let index = 0; index < pathsPerClass && index < members.length; index += 1)
        samples.push(members[Math.floor((index * members.length) / pathsPerClass)] as number);
      console.log(`  ${item.className}:`);
      for (const node of samples) console.log(`    ${retainerPath(after, node)}`);
    }
  }
}

if (process.argv[1]?.endsWith("heap-diff.ts")) main();
