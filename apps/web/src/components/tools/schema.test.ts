import { describe, expect, it } from "vitest";
import { fieldsOf, parseArguments, prettyOutput, skeletonOf, typeLabel } from "./schema";

// Shaped like zod's draft-7 output for real tools (file_list, http_request, json_query).
const httpRequest = {
  type: "object",
  properties: {
    method: { default: "GET", type: "string", enum: ["GET", "POST"] },
    url: { type: "string", minLength: 1, maxLength: 4000, description: "Absolute http(s) URL" },
    headers: { type: "object", propertyNames: { type: "string" }, additionalProperties: { type: "string" } },
    retries: { type: "integer", minimum: 1, maximum: 5 },
  },
  required: ["url", "retries"],
};

describe("fieldsOf", () => {
  it("reads each field's type, requiredness, enum values, default and limits", () => {
    expect(fieldsOf(httpRequest)).toEqual([
      {
        name: "method",
        type: "one of",
        isRequired: false,
        description: null,
        allowedValues: ["GET", "POST"],
        defaultValue: '"GET"',
        limits: [],
      },
      {
        name: "url",
        type: "string",
        isRequired: true,
        description: "Absolute http(s) URL",
        allowedValues: [],
        defaultValue: null,
        limits: ["1 to 4,000 characters"],
      },
      {
        name: "headers",
        type: "object of string",
        isRequired: false,
        description: null,
        allowedValues: [],
        defaultValue: null,
        limits: [],
      },
      { name: "retries", type: "integer", isRequired: true, description: null, allowedValues: [], defaultValue: null, limits: ["1 to 5"] },
    ]);
  });

  it("names unions and arrays", () => {
    expect(typeLabel({ anyOf: [{ type: "string" }, { type: "object", additionalProperties: {} }, { type: "array", items: {} }] })).toBe(
      "string or object or array",
    );
    expect(typeLabel({ type: "array", items: { type: "string" } })).toBe("array of string");
  });
});

describe("skeletonOf", () => {
  it("gives the required fields only, each with a value of its type", () => {
    expect(skeletonOf(httpRequest)).toEqual({ url: "", retries: 1 });
    expect(skeletonOf({ type: "object", properties: { depth: { type: "integer", default: 2 } } })).toEqual({});
  });
});

describe("parseArguments", () => {
  it("takes a JSON object, and refuses other JSON and text that is not JSON", () => {
    expect(parseArguments('{"expression": "1+1"}')).toEqual({ arguments: { expression: "1+1" } });
    expect(parseArguments("  ")).toEqual({ arguments: {} });
    expect(parseArguments("[1]")).toEqual({ error: expect.stringContaining("must be a JSON object") });
    expect(parseArguments('{"expression": ')).toEqual({ error: expect.stringContaining("not valid JSON") });
  });
});

describe("prettyOutput", () => {
  it("indents JSON and leaves other text alone", () => {
    expect(prettyOutput('{"result":1028}')).toBe('{\n  "result": 1028\n}');
    expect(prettyOutput("calculator failed: division by zero")).toBe("calculator failed: division by zero");
  });
});
