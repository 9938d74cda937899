/**
 * Just enough Bicep reading for tests, since no Bicep compiler runs here: the resources of a file with their
 * bodies as text, and literal object bodies (strings, numbers, booleans, objects, arrays) as values.
 * Anything else (a reference, a function call) is kept as `{ expression: "<text>" }`.
 */

export interface BicepResource {
  readonly symbol: string;
  /** e.g. Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers */
  readonly type: string;
  readonly apiVersion: string;
  /** The text between the outer braces. */
  readonly body: string;
}

export type BicepValue = string | number | boolean | null | { expression: string } | BicepValue[] | { [key: string]: BicepValue };

/** Removes // comments, leaving strings alone. */
export function withoutComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === "'") inString = false;
    } else if (c === "'") {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else {
      out += c;
    }
  }
  return out;
}

/** Index just past the bracket that closes the one at `open`. */
function closing(text: string, open: number): number {
  const pairs: Record<string, string> = { "{": "}", "[": "]", "(": ")" };
  const stack: string[] = [];
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  throw new Error(`unclosed ${text[open]} at ${open}`);
}

export function bicepResources(source: string): BicepResource[] {
  const text = withoutComments(source);
  const found: BicepResource[] = [];
  const header = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*=\s*\{/gm;
  for (let match = header.exec(text); match; match = header.exec(text)) {
    const open = match.index + match[0].length - 1;
    found.push({ symbol: match[1], type: match[2], apiVersion: match[3], body: text.slice(open + 1, closing(text, open) - 1) });
  }
  return found;
}

/** The value of `key:` at the top level of a body (or of an object literal's text). */
export function property(body: string, key: string): BicepValue | undefined {
  const parsed = parseObjectBody(body);
  return parsed[key];
}

/** Parses the inside of an object literal: `key: value` lines. */
export function parseObjectBody(body: string): Record<string, BicepValue> {
  const parser = new Parser(withoutComments(body));
  return parser.members("");
}

class Parser {
  private i = 0;
  constructor(private readonly text: string) {}

  members(end: string): Record<string, BicepValue> {
    const result: Record<string, BicepValue> = {};
    for (;;) {
      this.space();
      if (this.i >= this.text.length || this.text[this.i] === end) return result;
      const key = this.key();
      this.space(false);
      if (this.text[this.i] !== ":") throw new Error(`expected : after ${key} at ${this.i}`);
      this.i++;
      result[key] = this.value();
    }
  }

  private key(): string {
    if (this.text[this.i] === "'") return this.string();
    const match = /^[A-Za-z_][\w]*/.exec(this.text.slice(this.i));
    if (!match) throw new Error(`expected a key at ${this.i}: ${this.text.slice(this.i, this.i + 30)}`);
    this.i += match[0].length;
    return match[0];
  }

  private value(): BicepValue {
    this.space(false);
    const c = this.text[this.i];
    if (c === "'") return this.string();
    if (c === "{") {
      this.i++;
      const members = this.members("}");
      this.i++;
      return members;
    }
    if (c === "[") {
      this.i++;
      const items: BicepValue[] = [];
      for (;;) {
        this.space();
        if (this.text[this.i] === "]") {
          this.i++;
          return items;
        }
        items.push(this.value());
      }
    }
    const rest = this.text.slice(this.i);
    const literal = /^(true|false|null|-?\d+)(?=\s|$|[\]}])/.exec(rest);
    if (literal) {
      this.i += literal[0].length;
      return literal[0] === "true" ? true : literal[0] === "false" ? false : literal[0] === "null" ? null : Number(literal[0]);
    }
    // An expression: up to the end of the line, or of a bracket it opens.
    const start = this.i;
    while (this.i < this.text.length && this.text[this.i] !== "\n") {
      if ("({[".includes(this.text[this.i])) this.i = closing(this.text, this.i);
      else if (this.text[this.i] === "'") this.string();
      else this.i++;
    }
    return { expression: this.text.slice(start, this.i).trim() };
  }

  private string(): string {
    let out = "";
    this.i++; // opening quote
    while (this.text[this.i] !== "'") {
      if (this.i >= this.text.length) throw new Error("unclosed string");
      if (this.text[this.i] === "\\") this.i++;
      out += this.text[this.i++];
    }
    this.i++;
    return out;
  }

  /** Skips spaces and (when allowed) newlines and commas. */
  private space(newlines = true): void {
    const skip = newlines ? /[\s,]/ : /[ \t]/;
    while (this.i < this.text.length && skip.test(this.text[this.i])) this.i++;
  }
}
