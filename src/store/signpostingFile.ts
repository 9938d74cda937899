import fs from "node:fs";
import {
  describeProblem,
  entriesFor,
  mergeDirectories,
  NATIONAL_DIRECTORY,
  parseDirectory,
  SignpostingDirectory,
  type Nation,
  type SignpostEntry,
} from "../domain";

/** The trust's signposting file is missing, not JSON, or has a bad entry: start-up stops with this message. */
export class SignpostingFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`The signposting file ${file} (SIGNPOSTING_LOCAL_FILE) is not right:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SignpostingFileError";
  }
}

/** Reads and checks the trust's local entries (SIGNPOSTING_LOCAL_FILE); read once, at start-up. */
export function readLocalEntries(file: string): SignpostEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? `it is not valid JSON (${error.message})` : `it could not be read (${(error as NodeJS.ErrnoException).code ?? "error"})`;
    throw new SignpostingFileError(file, [reason]);
  }
  const parsed = parseDirectory(raw, { scope: "local" });
  if (!parsed.ok) throw new SignpostingFileError(file, parsed.problems.map(describeProblem));
  return parsed.entries;
}

export interface LoadedDirectory {
  readonly directory: SignpostingDirectory;
  readonly nationalCount: number;
  readonly localCount: number;
  /** National ids the trust's file replaced with its own entry. */
  readonly replaced: readonly string[];
}

/**
 * The national directory of the trust's nation plus the trust's file when there is one. Throws
 * SignpostingFileError on a bad file.
 */
export function loadSignpostingDirectory(localFile: string | undefined, nation: Nation): LoadedDirectory {
  const local = localFile ? readLocalEntries(localFile) : [];
  const national = entriesFor(NATIONAL_DIRECTORY, nation);
  const merged = mergeDirectories(national, entriesFor(local, nation));
  return { directory: new SignpostingDirectory(merged.entries), nationalCount: national.length, localCount: local.length, replaced: merged.replaced };
}
