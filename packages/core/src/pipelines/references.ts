/**
 * References inside node configuration: `{{inputs.topic}}` and `{{nodes.fetch.output.body.items[0]}}`.
 * A string that is exactly one reference takes the referenced value as is (a number stays a number);
 * references inside longer text are interpolated (objects as JSON). Paths are plain property paths,
 * never code: nothing here evaluates anything.
 */

export interface ReferencePath {
  /** The reference as written, without braces. */
  source: string;
  /** "inputs" or "nodes" */
  root: string;
  /** Property names and array indexes after the root. */
  segments: Array<string | number>;
}

const referencePattern = /\{\{\s*([^{}]*?)\s*\}\}/g;
const wholeReferencePattern = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const segmentPattern = /^(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d{1,6})\])/;
const rootPattern = /^([A-Za-z_][A-Za-z0-9_-]*)/;

/** Parses one reference body (`nodes.a.output.b[2]`); returns a message when it is not a path. */
export function parseReferencePath(source: string): ReferencePath | string {
  const rootMatch = rootPattern.exec(source);
  if (!rootMatch?.[1]) return `"${source}" is not a reference; write {{inputs.name}} or {{nodes.<id>.output...}}`;
  const root = rootMatch[1];
  if (root !== "inputs" && root !== "nodes") return `"${source}" must start with inputs or nodes`;
  const segments: Array<string | number> = [];
  let rest = source.slice(root.length);
  while (rest.length > 0) {
    const match = segmentPattern.exec(rest);
    if (!match) return `"${source}" is not a valid path (use .name and [index])`;
    segments.push(match[1] !== undefined ? match[1] : Number(match[2]));
    rest = rest.slice(match[0].length);
  }
  if (segments.length === 0) return `"${source}" names no field`;
  return { source, root, segments };
}

/** Every reference in a configuration value (strings anywhere inside objects and arrays), with where it sits. */
export function collectReferences(value: unknown, at: string[] = []): Array<{ field: string; text: string; isWhole: boolean }> {
  if (typeof value === "string") {
    const found: Array<{ field: string; text: string; isWhole: boolean }> = [];
    const isWhole = wholeReferencePattern.test(value);
    for (const match of value.matchAll(referencePattern)) found.push({ field: at.join("."), text: match[1] ?? "", isWhole });
    return found;
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => collectReferences(item, [...at, String(index)]));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => collectReferences(item, [...at, key]));
  }
  return [];
}

export interface ReferenceScope {
  inputs: Record<string, unknown>;
  /** Outputs of finished upstream nodes. */
  nodes: Record<string, { output: unknown }>;
}

function lookUp(scope: ReferenceScope, path: ReferencePath): unknown {
  let current: unknown = path.root === "inputs" ? scope.inputs : scope.nodes;
  for (const segment of path.segments) {
    if (current === null || current === undefined) return undefined;
    if (typeof segment === "number") {
      current = Array.isArray(current) ? current[segment] : undefined;
    } else if (typeof current === "object" && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Replaces every reference in the value with what it points at (a missing value resolves to null / ""). */
export function resolveReferences(value: unknown, scope: ReferenceScope): unknown {
  if (typeof value === "string") {
    const whole = wholeReferencePattern.exec(value);
    if (whole) {
      const path = parseReferencePath(whole[1] ?? "");
      return typeof path === "string" ? null : (lookUp(scope, path) ?? null);
    }
    return value.replace(referencePattern, (_match, body: string) => {
      const path = parseReferencePath(body);
      return typeof path === "string" ? "" : asText(lookUp(scope, path));
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, scope));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveReferences(item, scope)]));
  }
  return value;
}
