/** Math tools: exact arithmetic for agents, which are unreliable at computing by themselves. */
import { z } from "zod";
import { defineTool } from "../registry";
import { evaluateExpression, expressionFunctionNames, maxExpressionLength } from "./expression";

/** Drops binary floating-point noise (0.1 + 0.2 = 0.30000000000000004) that would only confuse a reader. */
function tidy(value: number): number {
  if (Number.isInteger(value)) return value;
  return Number(value.toPrecision(15));
}

export const calculatorTool = defineTool({
  name: "calculator",
  category: "math",
  description:
    "Evaluate an arithmetic expression exactly. Supports numbers (12, 0.5, .5, 1e3), + - * / % (remainder) ^ (power, " +
    "right-associative, -2^2 = -4), unary minus, parentheses, constants pi and e, and functions " +
    `${expressionFunctionNames.join(", ")} (trigonometry in radians; log(x) is base 10, log(x, base) any base; ` +
    "round(x, digits) rounds half away from zero). No variables or implicit multiplication: write 2*pi, not 2pi. " +
    "Errors give the 1-based position of the problem.",
  input: z.object({
    expression: z
      .string()
      .max(maxExpressionLength)
      .describe('The expression to evaluate, e.g. "(17.5 * 3 + 2^10) / 4" or "round(sqrt(2) * 100, 1)"'),
  }),
  timeoutMs: 5_000,
  async execute(input) {
    const value = evaluateExpression(input.expression);
    return { expression: input.expression, result: tidy(value) };
  },
});

export const mathTools = [calculatorTool];
