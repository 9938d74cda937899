// Case references people can say on the phone and type back: PALS-2026-000123.

const PREFIX = "PALS";
const MAX_SEQUENCE = 999_999;

/**
 * Finds a reference in text, forgiving case, spaces and missing hyphens ("pals 2026 123").
 * Not global, so test()/exec() keep no state between calls.
 */
export const CASE_REFERENCE_PATTERN = /\bPALS[\s-]*(\d{4})[\s-]*(\d{1,6})\b/i;

export interface CaseReference {
  year: number;
  sequence: number;
}

export function formatCaseReference(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new Error(`Expected a four-digit year, got ${year}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE) {
    throw new Error(`A case reference sequence must be a whole number from 1 to ${MAX_SEQUENCE}, got ${sequence}`);
  }
  return `${PREFIX}-${year}-${String(sequence).padStart(6, "0")}`;
}

/** The first case reference in the text, or undefined if there isn't one. */
export function parseCaseReference(text: string): CaseReference | undefined {
  if (typeof text !== "string") return undefined;
  const match = CASE_REFERENCE_PATTERN.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const sequence = Number(match[2]);
  if (year < 1000 || sequence < 1) return undefined;
  return { year, sequence };
}
