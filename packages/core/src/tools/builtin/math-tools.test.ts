import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExpressionError, evaluateExpression } from "./expression";
import { calculatorTool } from "./math-tools";
import { callTool, callToolForResult } from "./tool-test-context";

async function calculate(expression: string) {
  return (await callToolForResult<{ result: number }>(calculatorTool, { expression })).result;
}

describe("calculator", () => {
  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["2 ^ 3 ^ 2", 512],
    ["-2 ^ 2", -4],
    ["2 ^ -1", 0.5],
    ["(-2) ^ 2", 4],
    ["--3", 3],
    ["1e3 + .5", 1000.5],
    ["2.5E-1", 0.25],
    ["7 % 3", 1],
    ["-7 % 3", -1],
    ["0.1 + 0.2", 0.3],
    ["sqrt(16) + abs(-3)", 7],
    ["round(2.345, 2)", 2.35],
    ["round(1.005, 2)", 1.01],
    ["round(-2.5)", -3],
    ["round(1234, -2)", 1200],
    ["floor(-1.5) + ceil(1.2)", 0],
    ["min(3, 1, 2) + max(4, 9)", 10],
    ["log(1000)", 3],
    ["log(8, 2)", 3],
    ["ln(e)", 1],
    ["exp(0)", 1],
    ["cos(pi)", -1],
    ["sin(0) + tan(0)", 0],
    ["2 * PI", 2 * Math.PI],
    ["Sqrt(9)", 3],
  ])("evaluates %s", async (expression, expected) => {
    expect(await calculate(expression)).toBeCloseTo(expected, 12);
  });

  it.each([
    ["(1 + 2))", "Unexpected ')' at position 8"],
    ["1 +", "Unexpected end of expression at position 4"],
    ["(1 + 2", "Missing ')' for '(' at position 1"],
    ["2 * * 3", "Unexpected '*' at position 5"],
    ["1 / 0", "Division by zero at position 3"],
    ["5 % (2 - 2)", "Modulo by zero at position 3"],
    ["0 ^ -1", "Division by zero"],
    ["sqrt(-1)", "sqrt of a negative number at position 1"],
    ["log(0)", "log of a number that is not positive"],
    ["round(1.5, 0.5)", "round digits must be an integer"],
    ["10 ^ 400", "Result is too large"],
    ["(-8) ^ 0.5", "not a real number"],
    ["2pi", "Unexpected 'pi' at position 2"],
    ["foo(1)", "Unknown name 'foo' at position 1"],
    ["sqrt 4", "Function 'sqrt' needs parentheses"],
    ["sqrt(1, 2)", "Wrong number of arguments for 'sqrt'"],
    ["min()", "Wrong number of arguments for 'min'"],
    ["1.2.3", "Malformed number at position 1"],
    ["2 × 3", "Unexpected character '×' at position 3 (use * and /)"],
    ["x = 1", "Unexpected character '=' at position 3 (write only the expression)"],
    ["   ", "Expression is empty"],
    [`${"(".repeat(100)}1${")".repeat(100)}`, "nested too deeply"],
  ])("reports %s as an error", async (expression, message) => {
    const outcome = await callTool(calculatorTool, { expression });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toContain(message);
  });

  it("rejects invalid arguments, naming the field", async () => {
    const missing = await callTool(calculatorTool, {});
    expect(missing).toMatchObject({ isError: true });
    expect(missing.content).toContain("expression");
    const tooLong = await callTool(calculatorTool, { expression: "1+".repeat(600) });
    expect(tooLong.isError).toBe(true);
    expect(tooLong.content).toContain("expression");
  });
});

type Tree =
  | { kind: "number"; value: number }
  | { kind: "negate"; operand: Tree }
  | { kind: "binary"; operator: "+" | "-" | "*" | "/" | "%" | "^"; left: Tree; right: Tree };

const { tree: treeArbitrary } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer({ min: 0, max: 1000 }).map((value): Tree => ({ kind: "number", value })),
    tie("tree").map((operand): Tree => ({ kind: "negate", operand })),
    fc
      .record({ operator: fc.constantFrom("+", "-", "*", "/", "%", "^"), left: tie("tree"), right: tie("tree") })
      .map((node): Tree => ({ kind: "binary", ...node }) as Tree),
  ),
}));

/** Reference semantics, written independently of the parser: throws on what the calculator reports as an error. */
function reference(tree: Tree): number {
  const check = (value: number) => {
    if (!Number.isFinite(value)) throw new Error("not finite");
    return value;
  };
  switch (tree.kind) {
    case "number":
      return tree.value;
    case "negate":
      return -reference(tree.operand);
    case "binary": {
      const left = reference(tree.left);
      const right = reference(tree.right);
      if ((tree.operator === "/" || tree.operator === "%") && right === 0) throw new Error("division by zero");
      if (tree.operator === "^" && left === 0 && right < 0) throw new Error("division by zero");
      const results = { "+": left + right, "-": left - right, "*": left * right, "/": left / right, "%": left % right, "^": left ** right };
      return check(results[tree.operator]);
    }
  }
}

const precedence = { number: 5, negate: 3, "+": 1, "-": 1, "*": 2, "/": 2, "%": 2, "^": 4 } as const;
const precedenceOf = (tree: Tree) => (tree.kind === "binary" ? precedence[tree.operator] : precedence[tree.kind]);

/** Prints with the fewest parentheses the grammar allows, so precedence and associativity are exercised. */
function printMinimal(tree: Tree): string {
  const wrap = (child: Tree, needsParentheses: boolean) => (needsParentheses ? `(${printMinimal(child)})` : printMinimal(child));
  switch (tree.kind) {
    case "number":
      return String(tree.value);
    case "negate":
      return `-${wrap(tree.operand, precedenceOf(tree.operand) < precedence.negate)}`;
    case "binary": {
      const own = precedence[tree.operator];
      if (tree.operator === "^") {
        return `${wrap(tree.left, precedenceOf(tree.left) <= own)} ^ ${wrap(tree.right, precedenceOf(tree.right) < precedence.negate)}`;
      }
      return `${wrap(tree.left, precedenceOf(tree.left) < own)} ${tree.operator} ${wrap(tree.right, precedenceOf(tree.right) <= own)}`;
    }
  }
}

function printFull(tree: Tree): string {
  if (tree.kind === "number") return String(tree.value);
  if (tree.kind === "negate") return `(-${printFull(tree.operand)})`;
  return `(${printFull(tree.left)}${tree.operator}${printFull(tree.right)})`;
}

function depth(tree: Tree): number {
  if (tree.kind === "number") return 1;
  if (tree.kind === "negate") return 1 + depth(tree.operand);
  return 1 + Math.max(depth(tree.left), depth(tree.right));
}

describe("calculator properties", () => {
  it("agrees with a reference evaluator on random expression trees, however they are parenthesized", () => {
    fc.assert(
      fc.property(
        treeArbitrary.filter((tree) => depth(tree) <= 20),
        fc.boolean(),
        (tree, isMinimal) => {
          const source = isMinimal ? printMinimal(tree) : printFull(tree);
          let expected: { value: number } | { error: true };
          try {
            expected = { value: reference(tree) };
          } catch {
            expected = { error: true };
          }
          if ("error" in expected) {
            expect(() => evaluateExpression(source)).toThrow(ExpressionError);
          } else {
            expect(evaluateExpression(source)).toBe(expected.value);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("answers random input with a number or a readable error, never anything else", async () => {
    const alphabet = fc.constantFrom(..."0123456789.+-*/%^()e ,sqrtminpaxlogE".split(""), "pi", "sqrt(", "1e", "max(");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join("")),
        ),
        async (expression) => {
          try {
            expect(Number.isFinite(evaluateExpression(expression))).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(ExpressionError);
            expect((error as Error).message.length).toBeGreaterThan(5);
          }
          const outcome = await callTool(calculatorTool, { expression });
          if (outcome.isError) expect(outcome.content).toMatch(/^calculator failed: |^Invalid arguments/);
        },
      ),
      { numRuns: 500 },
    );
  });
});
