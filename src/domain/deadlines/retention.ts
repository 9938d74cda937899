// Records management: complaint records are kept 10 years after closure, then deleted or anonymised
// (NHS Records Management Code of Practice). Anonymising keeps what statistics need (type, dates, KO41a
// codes, outcome) and removes everything that could identify the patient or repeats what they said.
import type { Case } from "../case/caseSchema";
import { addCalendarMonths, addWorkingDays, isWorkingDay } from "../calendar/calendar";

export type RetentionAction = "anonymise" | "delete";

export interface RetentionRules {
  readonly years: number;
  readonly action: RetentionAction;
}

export const DEFAULT_RETENTION: RetentionRules = { years: 10, action: "anonymise" };

const REMOVED = "[removed under the records retention schedule]";

/** The day a closed case's records are due to go; undefined while the case is open or already anonymised. */
export function retentionDay(c: Pick<Case, "status" | "closedOn" | "anonymisedOn">, rules: RetentionRules = DEFAULT_RETENTION): string | undefined {
  if (c.status !== "closed" || !c.closedOn || c.anonymisedOn) return undefined;
  const day = addCalendarMonths(c.closedOn, rules.years * 12);
  // The sweep runs on working days: a weekend or bank holiday moves to the next working day.
  return isWorkingDay(day) ? day : addWorkingDays(day, 1);
}

export function isRetentionDue(c: Pick<Case, "status" | "closedOn" | "anonymisedOn">, today: string, rules: RetentionRules = DEFAULT_RETENTION): boolean {
  const day = retentionDay(c, rules);
  return day !== undefined && day <= today;
}

/**
 * The case with nothing left that identifies the patient or repeats their words. The patient-safety flag and the
 * incident reference stay: neither is patient data, and the reference links the record to the trust's incident system.
 */
export function anonymiseCase(c: Case, now: Date): Case {
  return {
    ...c,
    patient: { name: REMOVED },
    raiser: undefined,
    summary: REMOVED,
    desiredOutcome: undefined,
    learning: undefined,
    investigations: c.investigations?.map((request) => ({
      ...request,
      summary: REMOVED,
      questions: REMOVED,
      nhsNumber: undefined,
      answer: request.answer ? { ...request.answer, findings: REMOVED, actions: "", learning: "" } : undefined,
      extension: request.extension ? { ...request.extension, reason: REMOVED } : undefined,
    })),
    // Documents are deleted with the case's details; the emails sent name the complainant and their address.
    documents: undefined,
    correspondence: undefined,
    anonymisedOn: now.toISOString().slice(0, 10),
    updatedAt: now.toISOString(),
  };
}
