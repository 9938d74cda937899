import fs from "node:fs";
import path from "node:path";
import { checkLetterTemplate, LETTER_KINDS, type LetterKind } from "../domain/letters/letters";
import type { LetterTemplateSource } from "../domain/ports";

/** The letters PALS Desk ships: cards/letters/<kind>.md. */
export const DEFAULT_LETTERS_DIR = path.resolve(__dirname, "..", "..", "cards", "letters");

export class LetterTemplateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LetterTemplateFileError";
  }
}

/**
 * The trust's letter templates: <kind>.md in LETTER_TEMPLATES_DIR when it has one, else the shipped default.
 * Files are read on every draft, so a trust's edit applies without a restart.
 */
export class LetterTemplates implements LetterTemplateSource {
  constructor(private readonly trustDir?: string) {}

  /** Which file a letter comes from. */
  fileFor(kind: LetterKind): string {
    const own = this.trustDir ? path.join(this.trustDir, `${kind}.md`) : undefined;
    return own && fs.existsSync(own) ? own : path.join(DEFAULT_LETTERS_DIR, `${kind}.md`);
  }

  /** True when the trust has its own file for this letter. */
  fromTrust(kind: LetterKind): boolean {
    return this.fileFor(kind) !== path.join(DEFAULT_LETTERS_DIR, `${kind}.md`);
  }

  /** The template text; throws LetterTemplateFileError naming the file when it can't be read or parsed. */
  get(kind: LetterKind): string {
    const file = this.fileFor(kind);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new LetterTemplateFileError(`The ${kind} letter template ${file} could not be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`);
    }
    try {
      checkLetterTemplate(text);
    } catch (error) {
      throw new LetterTemplateFileError(`The ${kind} letter template ${file} has a mistake: ${(error as Error).message}`);
    }
    return text;
  }

  /** The template for the application layer: its text and where it came from, or what is wrong with its file. */
  template(kind: LetterKind): ReturnType<LetterTemplateSource["template"]> {
    try {
      return { ok: true, text: this.get(kind), source: this.fromTrust(kind) ? "your trust's letters folder" : "shipped with PALS Desk" };
    } catch (error) {
      if (!(error instanceof LetterTemplateFileError)) throw error;
      return { ok: false, problem: error.message };
    }
  }

  /** Reads every template once, so a broken file stops start-up with its name rather than failing a draft later. */
  checkAll(): void {
    for (const { id } of LETTER_KINDS) this.get(id);
  }
}
