import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Template } from "adaptivecards-templating";
import { withoutFormatFunctions } from "./text";

/** cards/ at the repository root, whether running from src (tsx) or dist (tsc). */
export const CARDS_DIR = path.resolve(__dirname, "..", "..", "cards");

const templates = new Map<string, Template>();

function template(name: string): Template {
  let cached = templates.get(name);
  if (!cached) {
    const file = path.join(CARDS_DIR, `${name}.json`);
    try {
      cached = new Template(JSON.parse(fs.readFileSync(file, "utf8")));
    } catch (error) {
      throw new Error(`cards/${name}.json is not a card template PALS Desk can read (${error instanceof Error ? error.message : String(error)})`, {
        cause: error,
      });
    }
    templates.set(name, cached);
  }
  return cached;
}

/**
 * Reads and prepares every card in cards/ (about half a second), before the first request: a broken card stops
 * the start rather than someone's click, and the first people after a restart do not wait while the card they
 * need is prepared with everyone's turns held up behind it.
 */
export function prepareCards(): number {
  const names = fs
    .readdirSync(CARDS_DIR)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length));
  for (const name of names) template(name);
  return names.length;
}

/**
 * A new id for each card drawn, sent back by its buttons: pressing a button again on the same card (a retry
 * after a failure) is the same submission, which the application layer applies once. Any later press
 * comes from a card drawn again (every answer replaces the card), so it is a new submission.
 */
export function newSubmission(): string {
  return randomUUID();
}

/**
 * Expands cards/<name>.json with data; the result is plain Adaptive Card JSON (schema 1.5). Data is never
 * evaluated as a template; text that did not come from us belongs in TextRuns (see text.ts).
 */
export function expandCard(name: string, data: object): Record<string, unknown> {
  return withoutFormatFunctions(template(name).expand({ $root: data }) as Record<string, unknown>);
}
