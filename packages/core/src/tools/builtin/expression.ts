/**
 * The calculator's arithmetic language: a tokenizer, a Pratt parser and a tree evaluator (no `eval`, no
 * `Function`). Every failure is an `ExpressionError` whose message names the 1-based position, so a model
 * can fix its expression from the message alone.
 */

export const maxExpressionLength = 1000;
export const maxExpressionDepth = 64;

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

type Token =
  | { kind: "number"; value: number; position: number; text: string }
  | { kind: "name"; name: string; position: number; text: string }
  | { kind: "operator"; operator: "+" | "-" | "*" | "/" | "%" | "^"; position: number; text: string }
  | { kind: "paren"; paren: "(" | ")"; position: number; text: string }
  | { kind: "comma"; position: number; text: string }
  | { kind: "end"; position: number; text: string };

export type ExpressionNode =
  | { kind: "number"; value: number }
  | { kind: "constant"; name: string; position: number }
  | { kind: "negate"; operand: ExpressionNode }
  | { kind: "binary"; operator: "+" | "-" | "*" | "/" | "%" | "^"; left: ExpressionNode; right: ExpressionNode; position: number }
  | { kind: "call"; name: string; args: ExpressionNode[]; position: number };

const constants: Record<string, number> = { pi: Math.PI, e: Math.E };

interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  usage: string;
  apply(args: number[], position: number): number;
}

function requireDomain(isValid: boolean, message: string, position: number): void {
  if (!isValid) throw new ExpressionError(`${message} at position ${position}`);
}

/** Moves the decimal point by `places` without the binary rounding error of multiplying by 10^places. */
function shiftDecimal(value: number, places: number): number {
  const [mantissa, exponent = "0"] = String(value).split("e");
  return Number(`${mantissa}e${Number(exponent) + places}`);
}

function roundHalfAwayFromZero(value: number, digits: number): number {
  const magnitude = shiftDecimal(Math.round(shiftDecimal(Math.abs(value), digits)), -digits);
  return value < 0 ? -magnitude : magnitude;
}

const unary = (usage: string, apply: (x: number, position: number) => number): FunctionSpec => ({
  minArgs: 1,
  maxArgs: 1,
  usage,
  apply: (args, position) => apply(args[0] as number, position),
});

const functions: Record<string, FunctionSpec> = {
  sqrt: unary("sqrt(x)", (x, position) => {
    requireDomain(x >= 0, "sqrt of a negative number", position);
    return Math.sqrt(x);
  }),
  abs: unary("abs(x)", Math.abs),
  floor: unary("floor(x)", Math.floor),
  ceil: unary("ceil(x)", Math.ceil),
  exp: unary("exp(x)", Math.exp),
  sin: unary("sin(x) with x in radians", Math.sin),
  cos: unary("cos(x) with x in radians", Math.cos),
  tan: unary("tan(x) with x in radians", Math.tan),
  ln: unary("ln(x)", (x, position) => {
    requireDomain(x > 0, "ln of a number that is not positive", position);
    return Math.log(x);
  }),
  log: {
    minArgs: 1,
    maxArgs: 2,
    usage: "log(x) for base 10 or log(x, base)",
    apply([x = 0, base = 10], position) {
      requireDomain(x > 0, "log of a number that is not positive", position);
      requireDomain(base > 0 && base !== 1, "log base must be positive and not 1", position);
      return base === 10 ? Math.log10(x) : Math.log(x) / Math.log(base);
    },
  },
  round: {
    minArgs: 1,
    maxArgs: 2,
    usage: "round(x) or round(x, digits) with digits an integer from -15 to 15",
    apply([x = 0, digits = 0], position) {
      requireDomain(Number.isInteger(digits) && Math.abs(digits) <= 15, "round digits must be an integer from -15 to 15", position);
      return roundHalfAwayFromZero(x, digits);
    },
  },
  min: { minArgs: 1, maxArgs: 100, usage: "min(a, b, ...)", apply: (args) => Math.min(...args) },
  max: { minArgs: 1, maxArgs: 100, usage: "max(a, b, ...)", apply: (args) => Math.max(...args) },
};

export const expressionFunctionNames = Object.keys(functions);

function describeToken(token: Token): string {
  return token.kind === "end" ? "end of expression" : `'${token.text}'`;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    const position = index + 1;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(index, index + 400));
    if (number) {
      const text = number[0];
      // "1.2.3" or "1e" would otherwise split into confusing tokens.
      const next = source[index + text.length];
      if (next === "." || (next !== undefined && /[eE]/.test(next) && !/^[eE][a-zA-Z]/.test(source.slice(index + text.length)))) {
        throw new ExpressionError(`Malformed number at position ${position}`);
      }
      const value = Number(text);
      if (!Number.isFinite(value)) throw new ExpressionError(`Number too large at position ${position}`);
      tokens.push({ kind: "number", value, position, text });
      index += text.length;
      continue;
    }
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(source.slice(index, index + 100));
    if (name) {
      tokens.push({ kind: "name", name: name[0].toLowerCase(), position, text: name[0] });
      index += name[0].length;
      continue;
    }
    if (char === "+" || char === "-" || char === "*" || char === "/" || char === "%" || char === "^") {
      tokens.push({ kind: "operator", operator: char, position, text: char });
    } else if (char === "(" || char === ")") {
      tokens.push({ kind: "paren", paren: char, position, text: char });
    } else if (char === ",") {
      tokens.push({ kind: "comma", position, text: char });
    } else {
      const hint = char === "×" || char === "÷" ? " (use * and /)" : char === "=" ? " (write only the expression)" : "";
      throw new ExpressionError(`Unexpected character '${char}' at position ${position}${hint}`);
    }
    index++;
  }
  tokens.push({ kind: "end", position: source.length + 1, text: "" });
  return tokens;
}

const binaryPrecedence = { "+": 10, "-": 10, "*": 20, "/": 20, "%": 20, "^": 40 } as const;
const unaryPrecedence = 30;

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): ExpressionNode {
    const node = this.parseExpression(0);
    const token = this.peek();
    if (token.kind !== "end") throw this.unexpected(token);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.index++;
    return token;
  }

  private unexpected(token: Token): ExpressionError {
    if (token.kind === "end") return new ExpressionError(`Unexpected end of expression at position ${token.position}`);
    return new ExpressionError(`Unexpected ${describeToken(token)} at position ${token.position}`);
  }

  private parseExpression(minPrecedence: number): ExpressionNode {
    this.depth++;
    if (this.depth > maxExpressionDepth) {
      throw new ExpressionError(
        `Expression nested too deeply (more than ${maxExpressionDepth} levels) at position ${this.peek().position}`,
      );
    }
    let left = this.parsePrefix();
    for (;;) {
      const token = this.peek();
      if (token.kind !== "operator") break;
      const precedence = binaryPrecedence[token.operator];
      if (precedence < minPrecedence) break;
      this.next();
      // '^' is right-associative and binds tighter than unary minus on its left (-2^2 = -4) but
      // accepts a signed exponent on its right (2^-1 = 0.5).
      const right = token.operator === "^" ? this.parseExpression(unaryPrecedence) : this.parseExpression(precedence + 1);
      left = { kind: "binary", operator: token.operator, left, right, position: token.position };
    }
    this.depth--;
    return left;
  }

  private parsePrefix(): ExpressionNode {
    const token = this.next();
    switch (token.kind) {
      case "number":
        return { kind: "number", value: token.value };
      case "operator":
        if (token.operator === "-") return { kind: "negate", operand: this.parseExpression(unaryPrecedence) };
        if (token.operator === "+") return this.parseExpression(unaryPrecedence);
        throw this.unexpected(token);
      case "paren": {
        if (token.paren === ")") throw this.unexpected(token);
        const inner = this.parseExpression(0);
        const closing = this.next();
        if (closing.kind !== "paren" || closing.paren !== ")") {
          if (closing.kind === "end") throw new ExpressionError(`Missing ')' for '(' at position ${token.position}`);
          throw this.unexpected(closing);
        }
        return inner;
      }
      case "name":
        return this.parseName(token);
      default:
        throw this.unexpected(token);
    }
  }

  private parseName(token: Extract<Token, { kind: "name" }>): ExpressionNode {
    const spec = functions[token.name];
    if (spec) {
      const open = this.next();
      if (open.kind !== "paren" || open.paren !== "(") {
        throw new ExpressionError(`Function '${token.text}' needs parentheses: ${spec.usage} (at position ${token.position})`);
      }
      const args: ExpressionNode[] = [];
      if (!(this.peek().kind === "paren" && (this.peek() as { paren: string }).paren === ")")) {
        for (;;) {
          args.push(this.parseExpression(0));
          const separator = this.next();
          if (separator.kind === "comma") continue;
          if (separator.kind === "paren" && separator.paren === ")") break;
          if (separator.kind === "end") throw new ExpressionError(`Missing ')' for '(' at position ${open.position}`);
          throw this.unexpected(separator);
        }
      } else {
        this.next();
      }
      if (args.length < spec.minArgs || args.length > spec.maxArgs) {
        throw new ExpressionError(`Wrong number of arguments for '${token.name}' at position ${token.position}: use ${spec.usage}`);
      }
      return { kind: "call", name: token.name, args, position: token.position };
    }
    if (token.name in constants) return { kind: "constant", name: token.name, position: token.position };
    throw new ExpressionError(
      `Unknown name '${token.text}' at position ${token.position}. Known: ${[...Object.keys(constants), ...expressionFunctionNames].join(", ")}`,
    );
  }
}

export function parseExpression(source: string): ExpressionNode {
  if (source.length > maxExpressionLength) throw new ExpressionError(`Expression is longer than ${maxExpressionLength} characters`);
  if (source.trim() === "") throw new ExpressionError("Expression is empty");
  return new Parser(tokenize(source)).parse();
}

function checkFinite(value: number, position: number): number {
  if (Number.isNaN(value)) throw new ExpressionError(`Result is not a real number at position ${position}`);
  if (!Number.isFinite(value)) throw new ExpressionError(`Result is too large (overflow) at position ${position}`);
  return value;
}

export function evaluateNode(node: ExpressionNode): number {
  switch (node.kind) {
    case "number":
      return node.value;
    case "constant":
      return constants[node.name] as number;
    case "negate":
      return -evaluateNode(node.operand);
    case "call": {
      const spec = functions[node.name] as FunctionSpec;
      return checkFinite(spec.apply(node.args.map(evaluateNode), node.position), node.position);
    }
    case "binary": {
      const left = evaluateNode(node.left);
      const right = evaluateNode(node.right);
      switch (node.operator) {
        case "+":
          return checkFinite(left + right, node.position);
        case "-":
          return checkFinite(left - right, node.position);
        case "*":
          return checkFinite(left * right, node.position);
        case "/":
          if (right === 0) throw new ExpressionError(`Division by zero at position ${node.position}`);
          return checkFinite(left / right, node.position);
        case "%":
          if (right === 0) throw new ExpressionError(`Modulo by zero at position ${node.position}`);
          return checkFinite(left % right, node.position);
        case "^":
          if (left === 0 && right < 0) throw new ExpressionError(`Division by zero (0 to a negative power) at position ${node.position}`);
          return checkFinite(left ** right, node.position);
      }
    }
  }
}

/** Parses and evaluates; throws only `ExpressionError`. */
export function evaluateExpression(source: string): number {
  return evaluateNode(parseExpression(source));
}
