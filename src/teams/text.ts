// What people are told, in cards and in chat. Our own words may mark **bold**; anything else (what people
// typed, Teams display names, messages from the application layer that name people) is shown as typed:
// in cards as TextRuns, which Teams never renders as markdown, and in chat as plain text unless it is inert.

/** A piece of text; `typed` when it did not come from our own words. */
export interface Run {
  readonly text: string;
  readonly bold: boolean;
  readonly typed: boolean;
}

/** Our own words as a string (which may mark **bold**), or runs built with `said` or `fromApp`. */
export type Message = string | readonly Run[];

function split(text: string, typed: boolean, bold: boolean, into: Run[]): boolean {
  text.split("**").forEach((part, i) => {
    if (i > 0) bold = !bold;
    if (part) into.push({ text: part, bold, typed });
  });
  return bold;
}

/** Our own words: `**x**` marks bold, nothing else is markup. */
export function ours(text: string): Run[] {
  const runs: Run[] = [];
  split(text, false, false, runs);
  return runs;
}

/** `said\`Assigned to ${name}.\``: the literal parts are our words (they may mark **bold**); every value is shown as typed. */
export function said(literals: TemplateStringsArray, ...values: readonly (string | number)[]): Run[] {
  const runs: Run[] = [];
  let bold = false;
  literals.forEach((literal, i) => {
    bold = split(literal, false, bold, runs);
    const value = i < values.length ? String(values[i]) : "";
    if (value) runs.push({ text: value, bold, typed: true });
  });
  return runs;
}

/**
 * A message from the application layer (a refusal, a rule's reason): it may mark **bold** and may name a
 * person or repeat a division, so every part counts as typed. A `**` in a name can only make it bold.
 */
export function fromApp(message: string): Run[] {
  const runs: Run[] = [];
  split(message, true, false, runs);
  return runs;
}

export function runsOf(message: Message): readonly Run[] {
  return typeof message === "string" ? ours(message) : message;
}

/** The runs as a card template draws them (cards/notice.json and the banners): TextRuns, never markdown. */
export function cardRuns(message: Message): { text: string; weight: "Bolder" | "Default" }[] {
  return runsOf(message).map((run) => ({ text: run.text, weight: run.bold ? "Bolder" : "Default" }));
}

export function plainText(message: Message): string {
  return runsOf(message)
    .map((run) => run.text)
    .join("");
}

/**
 * Text that Teams markdown leaves as it is: letters, digits, spaces and ordinary punctuation, with no dot or
 * colon run into a word (a web address, an email address or mailto:), no HTML entity and no line breaks (a
 * list or heading).
 */
export function inertInMarkdown(text: string): boolean {
  return /^[\p{L}\p{M}\p{N} '’".,:;!?()&%@·–—-]*$/u.test(text) && !/[.:][\p{L}\p{N}]|&[\p{L}#]/u.test(text);
}

/** The message as Teams markdown, or undefined when a typed part could be read as markup (then send it plain). */
export function markdownOf(message: Message): string | undefined {
  const runs = runsOf(message);
  if (runs.some((run) => run.typed && !inertInMarkdown(run.text))) return undefined;
  return runs.map((run) => (run.bold ? `**${run.text}**` : run.text)).join("");
}

/**
 * The Adaptive Cards renderer expands {{DATE(...)}} and {{TIME(...)}} in TextBlock and TextRun text (and the
 * TextBlocks it draws for facts, labels and expanded choices) when the card is shown. Our templates have no
 * "{{", so a zero-width space between braces changes only data, and shows the same.
 */
export function withoutFormatFunctions(card: Record<string, unknown>): Record<string, unknown> {
  const defuse = (holder: Record<string, unknown>, key: string) => {
    const value = holder[key];
    if (typeof value === "string" && value.includes("{{")) holder[key] = value.replace(/\{(?=\{)/g, "{\u200b");
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    const type = typeof n.type === "string" ? n.type : "";
    if (type === "TextBlock" || type === "TextRun") defuse(n, "text");
    if (type === "FactSet" && Array.isArray(n.facts)) {
      for (const fact of n.facts as Record<string, unknown>[]) {
        defuse(fact, "title");
        defuse(fact, "value");
      }
    }
    if (type.startsWith("Input.")) {
      // Labels, error messages, toggle titles and choice titles are drawn as text; values are not, and stay as typed.
      for (const key of ["label", "errorMessage", "title"]) defuse(n, key);
      if (Array.isArray(n.choices)) for (const choice of n.choices as Record<string, unknown>[]) defuse(choice, "title");
    }
    for (const value of Object.values(n)) if (value && typeof value === "object") visit(value);
  };
  visit(card);
  return card;
}
