import { z } from "zod";

/**
 * A card's text input: strings only (a forged number, object or array reads as empty), trimmed, at most `max`
 * characters. `slack` lets more through where the application layer says itself exactly how much to cut.
 */
export const typedText = (max: number, slack = 1) =>
  z.preprocess((value) => (typeof value === "string" ? value.trim() : ""), z.string().max(max * slack, { message: String(max) }));

/**
 * What to tell someone whose card input was refused for its length (a pasted document, a forged 1 MB note),
 * naming the box and its limit; undefined when length was not the problem.
 */
export function tooLongToSave(error: z.ZodError, boxNames: Readonly<Record<string, string>>): string | undefined {
  const issue = error.issues.find((i) => i.code === z.ZodIssueCode.too_big && i.type === "string");
  if (!issue) return undefined;
  const box = boxNames[String(issue.path[0])] ?? "each box";
  const limit = Number(issue.message);
  return `Too long to save: ${box} can have at most ${Number.isFinite(limit) ? limit.toLocaleString("en-GB") : "a few thousand"} characters. Shorten it and try again.`;
}

/** What the person typed into these inputs of a card (strings only, at most 4,000 characters each), so a refused action can show it again rather than lose it. */
export function typedInputs(data: unknown, inputIds: readonly string[]): Record<string, string> {
  const typed: Record<string, string> = {};
  if (data && typeof data === "object") {
    for (const id of inputIds) {
      const value = (data as Record<string, unknown>)[id];
      if (typeof value === "string") typed[id] = value.slice(0, 4000);
    }
  }
  return typed;
}
