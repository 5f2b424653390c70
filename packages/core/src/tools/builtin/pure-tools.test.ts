import { describe, expect, it } from "vitest";
import { toolCategories, toolSpec } from "../registry";
import { pureTools } from "./pure-tools";

describe("pureTools", () => {
  it("offers each tool once, side-effect free, with a described object schema the model can read", () => {
    const names = pureTools.map((tool) => tool.name);
    expect(names).toEqual(["calculator", "datetime", "json_query", "csv_parse", "regex_extract", "text_stats", "text_transform", "wait"]);
    for (const tool of pureTools) {
      expect(toolCategories).toContain(tool.category);
      expect(tool.sideEffect).toBe(false);
      expect(tool.requiresApproval).toBe(false);
      const spec = toolSpec(tool);
      expect(spec.inputSchema.type).toBe("object");
      for (const [field, schema] of Object.entries(spec.inputSchema.properties as Record<string, { description?: string }>)) {
        expect(schema.description, `${tool.name}.${field}`).toBeTruthy();
      }
    }
  });
});
