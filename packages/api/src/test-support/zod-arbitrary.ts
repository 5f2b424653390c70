/**
 * fast-check arbitraries from zod 4 schemas, read from `schema._zod.def` (the zod-3 packages such as
 * zod-fast-check do not understand zod 4). Built to find bad input, not to satisfy the schema: each
 * value is mostly shaped like the schema (so calls get past validation into the domain), with
 * hostile strings (the Big List of Naughty Strings), values outside the checks, wrong types and
 * extra keys mixed in. Ids come from a pool of real ones, so a generated reference often names a row
 * that exists. URLs are loopback only: a generated input must never make the process reach outside.
 */
import fc from "fast-check";
import type { z } from "zod";

export interface ArbitraryOptions {
  /** Strings fed into every string field, beside generated ones. */
  hostileStrings: readonly string[];
  /** Ids of rows that exist, offered to every uuid field. */
  knownIds: () => readonly string[];
  /** Values for fields by name (e.g. projectId), offered most of the time. */
  fieldValues?: Record<string, () => unknown>;
  /** false: only values shaped like the schema (to reach the domain code behind validation). */
  isHostile?: boolean;
}

interface Check {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
}

interface Def {
  type: string;
  format?: string;
  checks?: Array<{ _zod: { def: Check } }>;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def) => (def.checks ?? []).map((check) => check._zod.def);

/** Anything at all, JSON-ish: the wrong type for whatever field it lands in. */
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

const loopbackUrl = fc
  .tuple(
    fc.constantFrom("http", "https", "ftp", "javascript", "file"),
    fc.constantFrom("127.0.0.1", "localhost", "[::1]", "127.0.0.1:1", "localhost:9"),
    fc.string({ maxLength: 30 }),
  )
  .map(([scheme, host, path]) => `${scheme}://${host}/${encodeURIComponent(path)}`);

function stringArbitrary(def: Def, options: ArbitraryOptions): fc.Arbitrary<string> {
  const checks = checksOf(def);
  const minLength = checks.find((check) => check.check === "min_length")?.minimum ?? 0;
  const maxLength = Math.min(checks.find((check) => check.check === "max_length")?.maximum ?? 200, 400);
  const fitting = fc.string({ minLength: Math.min(minLength, maxLength), maxLength, unit: "grapheme" });
  let shaped: fc.Arbitrary<string>;
  switch (def.format) {
    case "uuid":
    case "guid":
      shaped = fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .constant(null)
            .chain(() => fc.constantFrom(...(options.knownIds().length ? options.knownIds() : ["00000000-0000-4000-8000-000000000000"]))),
        },
        { weight: 1, arbitrary: fc.uuid() },
      );
      break;
    case "email":
      shaped = fc.emailAddress();
      break;
    case "url":
      shaped = loopbackUrl;
      break;
    case "datetime":
      shaped = fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
      break;
    default:
      shaped = fitting;
  }
  if (options.isHostile === false) return shaped;
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: 3, arbitrary: fc.constantFrom(...options.hostileStrings) },
    { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
    { weight: 1, arbitrary: fc.string({ minLength: maxLength + 1, maxLength: maxLength + 5 }) },
  );
}

function numberArbitrary(def: Def, options: ArbitraryOptions): fc.Arbitrary<number> {
  const checks = checksOf(def);
  const isInteger = checks.some((check) => check.check === "number_format" && /int/.test(check.format ?? "")) || def.type === "int";
  const low = checks.find((check) => check.check === "greater_than")?.value ?? -1_000;
  const high = checks.find((check) => check.check === "less_than")?.value ?? 10_000;
  const inRange = isInteger
    ? fc.integer({ min: Math.ceil(Math.max(low, -1e9)), max: Math.floor(Math.min(high, 1e9)) })
    : fc.double({ min: Math.max(low, -1e9), max: Math.min(high, 1e9), noNaN: true });
  if (options.isHostile === false) return inRange;
  return fc.oneof(
    { weight: 5, arbitrary: inRange },
    { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1.5, low - 1, high + 1, Number.MAX_SAFE_INTEGER, -0, 1e308) },
    { weight: 1, arbitrary: fc.double() },
  );
}

export function arbitraryFor(schema: z.ZodType, options: ArbitraryOptions, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  const def = defOf(schema);
  const next = (inner: z.ZodType) => arbitraryFor(inner, options, depth + 1);
  const mixWrong = (arbitrary: fc.Arbitrary<unknown>) =>
    options.isHostile === false
      ? arbitrary
      : (fc.oneof({ weight: 12, arbitrary }, { weight: 1, arbitrary: wrongType }) as fc.Arbitrary<unknown>);
  switch (def.type) {
    case "string":
    case "template_literal":
      return mixWrong(stringArbitrary(def, options));
    case "number":
    case "int":
      return mixWrong(numberArbitrary(def, options));
    case "bigint":
      return fc.bigInt();
    case "boolean":
      return mixWrong(fc.boolean());
    case "date":
      return mixWrong(fc.date());
    case "null":
      return fc.constant(null);
    case "undefined":
    case "void":
      return fc.constant(undefined);
    case "literal":
      return mixWrong(fc.constantFrom(...(def.values ?? [null])));
    case "enum":
      return mixWrong(
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...Object.values(def.entries ?? { none: "none" })) },
          { weight: 1, arbitrary: fc.constantFrom(...options.hostileStrings) },
        ),
      );
    case "array":
    case "set": {
      const checks = checksOf(def);
      const maxLength = Math.min(checks.find((check) => check.check === "max_length")?.maximum ?? 4, 4);
      return mixWrong(fc.array(def.element ? next(def.element) : wrongType, { maxLength }));
    }
    case "tuple":
      return mixWrong(fc.tuple(...(def.items ?? []).map(next)));
    case "record":
    case "map":
      return mixWrong(
        fc.dictionary(
          def.keyType && defOf(def.keyType).type === "string"
            ? (stringArbitrary(defOf(def.keyType), options) as fc.Arbitrary<string>)
            : fc.string({ maxLength: 10 }),
          def.valueType ? next(def.valueType) : wrongType,
          { maxKeys: 3 },
        ),
      );
    case "object": {
      const shape = def.shape ?? {};
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, field] of Object.entries(shape)) {
        const given = options.fieldValues?.[key];
        fields[key] = given
          ? fc.oneof({ weight: 9, arbitrary: fc.constant(null).map(() => given()) }, { weight: 1, arbitrary: next(field) })
          : next(field);
      }
      const optional = Object.entries(shape)
        .filter(([, field]) => (field as unknown as { _zod: { optin?: string } })._zod.optin === "optional")
        .map(([key]) => key);
      const required = Object.keys(shape).filter((key) => !optional.includes(key));
      const record = fc.record(fields, { requiredKeys: required });
      const withExtra = fc
        .tuple(record, fc.dictionary(fc.constantFrom("__proto__", "constructor", "extra", "projectId "), wrongType, { maxKeys: 2 }))
        .map(([value, extra]) => ({ ...extra, ...value }));
      return mixWrong(fc.oneof({ weight: 8, arbitrary: record }, { weight: 1, arbitrary: withExtra }));
    }
    case "union":
      return fc.oneof(...(def.options ?? []).map(next));
    case "intersection":
      return fc
        .tuple(def.left ? next(def.left) : fc.constant({}), def.right ? next(def.right) : fc.constant({}))
        .map(([left, right]) => (typeof left === "object" && left && typeof right === "object" && right ? { ...left, ...right } : left));
    case "optional":
      return fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: def.innerType ? next(def.innerType) : wrongType },
      );
    case "nullable":
      return fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 3, arbitrary: def.innerType ? next(def.innerType) : wrongType },
      );
    case "default":
    case "prefault":
      return fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: def.innerType ? next(def.innerType) : wrongType },
      );
    case "catch":
    case "readonly":
    case "nonoptional":
    case "success":
      return def.innerType ? next(def.innerType) : wrongType;
    case "pipe":
      return def.in ? next(def.in) : wrongType;
    case "lazy":
      return def.getter ? next(def.getter()) : wrongType;
    default:
      // any, unknown, transform, custom, promise, function…: any JSON value.
      return fc.jsonValue({ maxDepth: 2 });
  }
}
