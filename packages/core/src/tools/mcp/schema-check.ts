/**
 * Checks the JSON Schema of a tool registered at runtime (an MCP server's) before a model is offered the
 * tool, and compiles the validator its arguments go through. Ajv in strict mode refuses what it cannot
 * judge exactly (unknown keywords and formats, ambiguous types, `required` names without properties);
 * `$data` references are refused anywhere in the schema, because they let the data decide the rules.
 * Compiled validators are cached by the schema's canonical JSON, so listing a project's tools on every
 * turn does not compile them again.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { LRUCache } from "lru-cache";
import { canonicalJson } from "../approvals";

export type SchemaCheck = { isUsable: true; check: (value: unknown) => string | null } | { isUsable: false; problem: string };

const draft2020 = new Set(["https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#"]);
const draft07 = new Set([
  "http://json-schema.org/draft-07/schema",
  "http://json-schema.org/draft-07/schema#",
  "https://json-schema.org/draft-07/schema",
  "https://json-schema.org/draft-07/schema#",
]);

function createAjv<T extends Ajv>(AjvClass: new (options: object) => T): T {
  // strict: every strict option on (strictSchema, strictNumbers, strictTypes, strictTuples, strictRequired).
  const ajv = new AjvClass({ strict: true, $data: false, allErrors: true, validateSchema: true, addUsedSchema: false });
  addFormats(ajv);
  return ajv;
}

let compilers: { draft07: Ajv; draft2020: Ajv } | undefined;
function compilerFor(dialect: unknown): Ajv | string {
  compilers ??= { draft07: createAjv(Ajv), draft2020: createAjv(Ajv2020) };
  if (dialect === undefined) return compilers.draft07;
  if (typeof dialect === "string" && draft07.has(dialect)) return compilers.draft07;
  if (typeof dialect === "string" && draft2020.has(dialect)) return compilers.draft2020;
  return `its $schema ${JSON.stringify(dialect).slice(0, 100)} is not supported (use draft-07 or 2020-12)`;
}

/** The JSON path of the first `$data` keyword, or null. */
function findDataReference(value: unknown, path = ""): string | null {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findDataReference(item, `${path}/${index}`);
      if (found) return found;
    }
    return null;
  }
  if (value === null || typeof value !== "object") return null;
  for (const [key, item] of Object.entries(value)) {
    if (key === "$data") return `${path}/$data`;
    const found = findDataReference(item, `${path}/${key}`);
    if (found) return found;
  }
  return null;
}

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors?.length) return "input: is not valid";
  return errors
    .slice(0, 10)
    .map((error) => {
      const missing = error.keyword === "required" ? (error.params as { missingProperty?: string }).missingProperty : undefined;
      const extra =
        error.keyword === "additionalProperties" ? (error.params as { additionalProperty?: string }).additionalProperty : undefined;
      const where = error.instancePath ? error.instancePath.slice(1).replaceAll("/", ".") : "input";
      if (missing) return `${where === "input" ? "" : `${where}.`}${missing}: is required`;
      if (extra) return `${where === "input" ? "" : `${where}.`}${extra}: is not allowed`;
      return `${where}: ${error.message ?? "is not valid"}`;
    })
    .join("; ");
}

const cache = new LRUCache<string, SchemaCheck>({ max: 2_000 });

/** Whether a runtime-registered input schema may be offered to a model, and if so its argument check. */
export function checkToolInputSchema(schema: unknown): SchemaCheck {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return { isUsable: false, problem: "its input schema is not a JSON object" };
  }
  const key = canonicalJson(schema);
  const cached = cache.get(key);
  if (cached) return cached;
  const result = compile(schema as Record<string, unknown>);
  cache.set(key, result);
  return result;
}

function compile(schema: Record<string, unknown>): SchemaCheck {
  if (schema.type !== "object") return { isUsable: false, problem: 'its input schema must have "type": "object"' };
  const dataReference = findDataReference(schema);
  if (dataReference) return { isUsable: false, problem: `its input schema uses $data (at ${dataReference}), which is not allowed` };
  const ajv = compilerFor(schema.$schema);
  if (typeof ajv === "string") return { isUsable: false, problem: ajv };
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { isUsable: false, problem: `its input schema was refused by strict validation: ${message.slice(0, 300)}` };
  }
  return {
    isUsable: true,
    check: (value) => (validate(value) ? null : describeErrors(validate.errors)),
  };
}
