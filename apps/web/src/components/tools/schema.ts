/**
 * A tool's input JSON Schema (what `tools.list` gives, as the model sees it) read for people: one row
 * per top-level field with its type, whether it is required and its limits, and a skeleton of arguments
 * (the required fields with a starting value) for the playground's editor. Only the parts of JSON Schema
 * that zod's converter emits are understood; anything else still shows in the raw schema.
 */
import { formatNumber } from "../format";

type JsonSchema = Record<string, unknown>;

export interface SchemaField {
  name: string;
  type: string;
  isRequired: boolean;
  description: string | null;
  /** The allowed values, when the field is an enum. */
  allowedValues: string[];
  /** The default as JSON text, when there is one. */
  defaultValue: string | null;
  /** Limits in words: "1 to 20", "up to 1,000 characters", "pattern ^[ims]*$". */
  limits: string[];
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberOf(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}

/** "string", "integer", "array of string", "string or object", "object of string". */
export function typeLabel(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return "one of";
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) return [...new Set(variants.filter(isSchema).map(typeLabel))].join(" or ");
  const type = schema.type;
  if (Array.isArray(type)) return type.join(" or ");
  if (type === "array") {
    const itemType = isSchema(schema.items) ? typeLabel(schema.items) : "any";
    return itemType === "any" ? "array" : `array of ${itemType}`;
  }
  if (type === "object" && !isSchema(schema.properties) && isSchema(schema.additionalProperties)) {
    const valueType = typeLabel(schema.additionalProperties);
    return valueType === "any" ? "object" : `object of ${valueType}`;
  }
  return typeof type === "string" ? type : "any";
}

function limitsOf(schema: JsonSchema): string[] {
  const limits: string[] = [];
  const range = (min: number | null, max: number | null, unit: string) => {
    const suffix = unit ? ` ${unit}` : "";
    if (min !== null && max !== null) limits.push(`${formatNumber(min)} to ${formatNumber(max)}${suffix}`);
    else if (max !== null) limits.push(`up to ${formatNumber(max)}${suffix}`);
    else if (min !== null && min > 0) limits.push(`at least ${formatNumber(min)}${suffix}`);
  };
  range(numberOf(schema.minimum), numberOf(schema.maximum), "");
  range(numberOf(schema.minLength), numberOf(schema.maxLength), "characters");
  range(numberOf(schema.minItems), numberOf(schema.maxItems), "items");
  if (typeof schema.pattern === "string") limits.push(`pattern ${schema.pattern}`);
  return limits;
}

export function fieldsOf(schema: JsonSchema): SchemaField[] {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === "string") : []);
  return Object.entries(properties)
    .filter((entry): entry is [string, JsonSchema] => isSchema(entry[1]))
    .map(([name, property]) => ({
      name,
      type: typeLabel(property),
      isRequired: required.has(name),
      description: typeof property.description === "string" ? property.description : null,
      allowedValues: Array.isArray(property.enum) ? property.enum.map((value) => String(value)) : [],
      defaultValue: "default" in property ? JSON.stringify(property.default) : null,
      limits: limitsOf(property),
    }));
}

/** A value that passes the field's type, for the editor to start from. */
function startingValue(schema: JsonSchema): unknown {
  if ("default" in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) {
    const first = variants.find(isSchema);
    return first ? startingValue(first) : null;
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "integer":
    case "number":
      return numberOf(schema.minimum) ?? 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object":
      return skeletonOf(schema);
    case "null":
      return null;
    default:
      return "";
  }
}

/** The required fields, each with a starting value: what a person has to fill in before running the tool. */
export function skeletonOf(schema: JsonSchema): Record<string, unknown> {
  const skeleton: Record<string, unknown> = {};
  for (const field of fieldsOf(schema)) {
    if (!field.isRequired) continue;
    const property = (schema.properties as Record<string, JsonSchema>)[field.name];
    if (property) skeleton[field.name] = startingValue(property);
  }
  return skeleton;
}

/** Tool output is text; when that text is JSON it reads better indented. */
export function prettyOutput(content: string): string {
  const trimmed = content.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return content;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return content;
  }
}

/** The editor's text as tool arguments, or why it cannot be: the API takes a JSON object only. */
export function parseArguments(text: string): { arguments: Record<string, unknown> } | { error: string } {
  if (text.trim() === "") return { arguments: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `The arguments are not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isSchema(value)) return { error: 'The arguments must be a JSON object, such as {"expression": "1 + 1"}.' };
  return { arguments: value };
}
