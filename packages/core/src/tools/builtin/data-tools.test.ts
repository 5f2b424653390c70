import { describe, expect, it } from "vitest";
import { csvParseTool, jsonQueryTool, maxDocumentChars } from "./data-tools";
import { callTool, callToolForResult } from "./tool-test-context";

const orders = {
  orders: [
    { id: 1, customer: "Ada", total: 120, items: ["pen", "ink"] },
    { id: 2, customer: "Grace", total: 8, items: ["clip"] },
    { id: 3, customer: "Alan", total: 42, items: [] },
  ],
};

describe("json_query", () => {
  it("filters and projects a JSON object", async () => {
    const { result } = await callToolForResult(jsonQueryTool, { document: orders, expression: "orders[?total > `10`].customer" });
    expect(result).toEqual(["Ada", "Alan"]);
  });

  it("accepts the document as JSON text and runs functions", async () => {
    const { result } = await callToolForResult(jsonQueryTool, {
      document: JSON.stringify(orders),
      expression: "max_by(orders, &total).{id: id, n: length(items)}",
    });
    expect(result).toEqual({ id: 1, n: 2 });
  });

  it("answers null when nothing matches", async () => {
    expect(await callToolForResult(jsonQueryTool, { document: orders, expression: "missing.field" })).toEqual({ result: null });
  });

  it("points at the line and column of invalid JSON text", async () => {
    const outcome = await callTool(jsonQueryTool, { document: '{\n  "a": 1,\n  "b": }', expression: "a" });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toBe('json_query failed: document is not valid JSON at line 3, column 8: unexpected "}"');
    const cut = await callTool(jsonQueryTool, { document: '{"a": [1, 2', expression: "a" });
    expect(cut.content).toBe("json_query failed: document is not valid JSON at line 1, column 12: the text ended early");
  });

  it("explains an invalid expression", async () => {
    const outcome = await callTool(jsonQueryTool, { document: orders, expression: "orders[" });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toContain('invalid JMESPath expression "orders["');
    const unknownFunction = await callTool(jsonQueryTool, { document: orders, expression: "shout(orders)" });
    expect(unknownFunction.content).toContain("Unknown function: shout()");
  });

  it("limits the document size and names bad fields", async () => {
    const huge = await callTool(jsonQueryTool, { document: { blob: "x".repeat(maxDocumentChars) }, expression: "blob" });
    expect(huge).toMatchObject({ isError: true });
    expect(huge.content).toContain(`larger than ${maxDocumentChars}`);
    const missing = await callTool(jsonQueryTool, { document: orders });
    expect(missing.content).toMatch(/^Invalid arguments for json_query: expression: /);
    const scalar = await callTool(jsonQueryTool, { document: 42, expression: "@" });
    expect(scalar.content).toMatch(/^Invalid arguments for json_query: document: /);
  });
});

describe("csv_parse", () => {
  it("parses rows into objects keyed by the header, with quoted fields", async () => {
    const output = await callToolForResult(csvParseTool, {
      text: 'name,city,note\nAda,London,"likes ""math"", and tea"\nAlan,"Man\nchester",\n',
    });
    expect(output).toMatchObject({
      delimiter: ",",
      columns: ["name", "city", "note"],
      totalRows: 2,
      isTruncated: false,
      rows: [
        { name: "Ada", city: "London", note: 'likes "math", and tea' },
        { name: "Alan", city: "Man\nchester", note: "" },
      ],
    });
  });

  it("detects semicolons and tabs, infers types on request, and caps the rows", async () => {
    const semicolons = await callToolForResult(csvParseTool, { text: "a;b\n1,5;true\n2;\n3;x\n", inferTypes: true, maxRows: 2 });
    expect(semicolons).toMatchObject({ delimiter: ";", totalRows: 3, returnedRows: 2, isTruncated: true });
    expect(semicolons.rows).toEqual([
      { a: "1,5", b: true },
      { a: 2, b: null },
    ]);
    const tabs = await callToolForResult(csvParseTool, { text: "x\ty\n1\t2\n", hasHeader: false });
    expect(tabs).toMatchObject({
      delimiter: "\\t",
      columns: null,
      rows: [
        ["x", "y"],
        ["1", "2"],
      ],
    });
  });

  it("names duplicate and empty headers apart and warns about ragged rows with their line", async () => {
    const output = await callToolForResult(csvParseTool, { text: "id,id,\n1,2,3\n4\n5,6,7,8\n" });
    expect(output.columns).toEqual(["id", "id_2", "column_3"]);
    expect(output.rows).toEqual([
      { id: "1", id_2: "2", column_3: "3" },
      { id: "4", id_2: null, column_3: null },
      { id: "5", id_2: "6", column_3: "7", extra_1: "8" },
    ]);
    expect(output.warnings).toEqual(["line 3: 1 fields where the header has 3", "line 4: 4 fields where the header has 3"]);
  });

  it("reports malformed CSV with the line number", async () => {
    const outcome = await callTool(csvParseTool, { text: 'a,b\n1,2\n3,"unclosed\n' });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toMatch(/^csv_parse failed: CSV could not be parsed \(line \d\): Quote Not Closed/);
  });

  it("names invalid arguments", async () => {
    const outcome = await callTool(csvParseTool, { text: "a", maxRows: 0 });
    expect(outcome.content).toMatch(/^Invalid arguments for csv_parse: maxRows: /);
  });
});
