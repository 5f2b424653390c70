/** Data tools: querying JSON with JMESPath and reading CSV into rows, both bounded in size. */
import { type JSONValue, search } from "@jmespath-community/jmespath";
import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import { defineTool } from "../registry";

export const maxDocumentChars = 1_000_000;

/**
 * Offset of the first JSON syntax error in `text`, found by a small recursive-descent scan. Used only
 * after JSON.parse failed, because Node 20's messages do not always carry a position.
 */
export function findJsonErrorOffset(text: string): number {
  let index = 0;
  const skipWhitespace = () => {
    while (index < text.length && " \t\n\r".includes(text[index] as string)) index++;
  };
  const fail = (): never => {
    throw index;
  };
  const expectLiteral = (literal: string) => {
    for (const char of literal) {
      if (text[index] !== char) fail();
      index++;
    }
  };
  const parseString = () => {
    index++;
    while (index < text.length && text[index] !== '"') {
      if (text.charCodeAt(index) < 0x20) fail();
      if (text[index] === "\\") {
        index++;
        if (text[index] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 1, index + 5))) fail();
          index += 4;
        } else if (!'"\\/bfnrt'.includes(text[index] ?? "x")) fail();
      }
      index++;
    }
    if (index >= text.length) fail();
    index++;
  };
  const parseValue = (depth: number): void => {
    if (depth > 1000) fail();
    skipWhitespace();
    const char = text[index];
    if (char === "{" || char === "[") {
      const close = char === "{" ? "}" : "]";
      index++;
      skipWhitespace();
      if (text[index] === close) {
        index++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (char === "{") {
          if (text[index] !== '"') fail();
          parseString();
          skipWhitespace();
          if (text[index] !== ":") fail();
          index++;
        }
        parseValue(depth + 1);
        skipWhitespace();
        if (text[index] === ",") {
          index++;
          continue;
        }
        if (text[index] === close) {
          index++;
          return;
        }
        fail();
      }
    }
    if (char === '"') parseString();
    else if (char === "t") expectLiteral("true");
    else if (char === "f") expectLiteral("false");
    else if (char === "n") expectLiteral("null");
    else {
      const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(index, index + 400));
      index += number ? number[0].length : fail();
    }
  };
  try {
    parseValue(0);
    skipWhitespace();
    return index < text.length ? index : -1;
  } catch (offset) {
    return typeof offset === "number" ? offset : -1;
  }
}

/** JSON.parse with the line and column of a syntax error. */
export function parseJsonText(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const offset = findJsonErrorOffset(text);
    if (offset < 0) throw new Error(`${field} is not valid JSON`);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    const found = offset >= text.length ? "the text ended early" : `unexpected ${JSON.stringify(text[offset])}`;
    throw new Error(`${field} is not valid JSON at line ${line}, column ${column}: ${found}`);
  }
}

export const jsonQueryTool = defineTool({
  name: "json_query",
  category: "data",
  description:
    'Query or reshape a JSON document with a JMESPath expression and return the result. Examples: "items[?price > `10`].name", ' +
    '"people[*].{name: name, city: address.city}", "sort_by(items, &date)[-1]", "length(items)", "max_by(items, &score).id". ' +
    'Literals go in backticks (`10`, `"x"`); raw strings in single quotes. A result of null means nothing matched.',
  input: z.object({
    document: z
      .union([z.string().max(maxDocumentChars), z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .describe(`The JSON document: a JSON object or array, or JSON text as a string (at most ${maxDocumentChars} characters)`),
    expression: z.string().trim().min(1).max(2000).describe('The JMESPath expression, e.g. "data.users[?active].email"'),
  }),
  timeoutMs: 10_000,
  async execute(input) {
    let document: unknown = input.document;
    if (typeof document === "string") {
      document = parseJsonText(document, "document");
    } else if (JSON.stringify(document).length > maxDocumentChars) {
      throw new Error(`document is larger than ${maxDocumentChars} characters of JSON`);
    }
    let result: JSONValue;
    try {
      result = search(document as JSONValue, input.expression);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`invalid JMESPath expression "${input.expression}": ${message}`);
    }
    return { result: result ?? null };
  },
});

const delimiterCandidates = [",", ";", "\t", "|"] as const;

/** Counts a character outside double quotes in each of the first lines of `text`. */
function countPerLine(text: string, delimiter: string, maxLines: number): number[] {
  const counts: number[] = [];
  let count = 0;
  let isQuoted = false;
  for (let index = 0; index < text.length && counts.length < maxLines; index++) {
    const char = text[index];
    if (char === '"') isQuoted = !isQuoted;
    else if (!isQuoted && char === delimiter) count++;
    else if (!isQuoted && char === "\n") {
      counts.push(count);
      count = 0;
    }
  }
  if (counts.length < maxLines && count > 0) counts.push(count);
  return counts;
}

/** Picks the candidate that appears on every sampled line the same number of times, preferring more columns. */
export function detectDelimiter(text: string): string {
  let best: { delimiter: string; score: number } = { delimiter: ",", score: -1 };
  for (const delimiter of delimiterCandidates) {
    const counts = countPerLine(text, delimiter, 20);
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistentLines = counts.filter((count) => count === first).length;
    const score = (consistentLines / counts.length) * 1000 + first;
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

function uniqueColumnNames(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, index) => {
    const base = raw.trim() || `column_${index + 1}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

function inferValue(value: string): string | number | boolean | null {
  const trimmed = value.trim();
  if (trimmed === "") return null;
  if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(trimmed)) {
    const number = Number(trimmed);
    if (Number.isFinite(number) && (Number.isSafeInteger(number) || !/^-?\d+$/.test(trimmed))) return number;
  }
  if (/^(?:true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === "true";
  return value;
}

interface CsvRecordWithInfo {
  record: string[];
  info: { lines: number };
}

export const csvParseTool = defineTool({
  name: "csv_parse",
  category: "data",
  description:
    "Parse CSV (or TSV, semicolon- or pipe-separated) text into rows. With a header row, each row becomes an object keyed by " +
    "column name; without, an array of fields. Handles quoted fields with commas and newlines. The delimiter is detected when " +
    "not given. Errors name the line.",
  input: z.object({
    text: z.string().max(maxDocumentChars).describe("The CSV text"),
    delimiter: z
      .string()
      .min(1)
      .max(4)
      .optional()
      .describe('Field separator, e.g. ",", ";", "\\t" (tab) or "|"; detected from the first lines when omitted'),
    hasHeader: z.boolean().default(true).describe("Whether the first row holds the column names (default true)"),
    maxRows: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1000)
      .describe("Most data rows to return (default 1000); the count of all rows is still reported"),
    inferTypes: z
      .boolean()
      .default(false)
      .describe("Turn numeric fields into numbers, true/false into booleans and empty fields into null (default false: all strings)"),
    trim: z.boolean().default(true).describe("Trim spaces around fields (default true)"),
  }),
  timeoutMs: 15_000,
  async execute(input) {
    const delimiter = input.delimiter === "\\t" ? "\t" : (input.delimiter ?? detectDelimiter(input.text));
    let parsed: CsvRecordWithInfo[];
    try {
      parsed = parseCsv(input.text, {
        delimiter,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: input.trim,
        bom: true,
      }) as unknown as CsvRecordWithInfo[];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const line = (error as { lines?: number }).lines;
      throw new Error(`CSV could not be parsed${line ? ` (line ${line})` : ""}: ${message}`);
    }
    const headerRecord = input.hasHeader ? parsed[0] : undefined;
    const dataRecords = input.hasHeader ? parsed.slice(1) : parsed;
    const columns = headerRecord ? uniqueColumnNames(headerRecord.record) : null;
    const width = columns?.length ?? Math.max(0, ...dataRecords.map((entry) => entry.record.length));
    const warnings: string[] = [];
    const convert = (value: string) => (input.inferTypes ? inferValue(value) : value);
    const rows = dataRecords.slice(0, input.maxRows).map(({ record, info }) => {
      if (record.length !== width && warnings.length < 10) {
        warnings.push(`line ${info.lines}: ${record.length} fields where ${columns ? "the header has" : "the widest row has"} ${width}`);
      }
      if (!columns) return record.map(convert);
      const row: Record<string, unknown> = {};
      columns.forEach((name, index) => {
        const value = record[index];
        row[name] = value === undefined ? null : convert(value);
      });
      record.slice(columns.length).forEach((value, index) => {
        row[`extra_${index + 1}`] = convert(value);
      });
      return row;
    });
    return {
      delimiter: delimiter === "\t" ? "\\t" : delimiter,
      columns,
      totalRows: dataRecords.length,
      returnedRows: rows.length,
      isTruncated: rows.length < dataRecords.length,
      ...(warnings.length ? { warnings } : {}),
      rows,
    };
  },
});

export const dataTools = [jsonQueryTool, csvParseTool];
