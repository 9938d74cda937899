// Records retention. The guidance this follows: NHS England, Records Management Code of Practice 2023 (the 2021 Code
// as updated in August 2023), Appendix II retention schedule, complaints records: the complaints case file is kept
// 10 years after closure, and it "is not closed until all processes (including any Ombudsman review or litigation)
// are complete"; the action at the end of the period is review, and if no longer needed, destroy. So here:
// - the clock starts at the end of the last process: the later of the case's local closure and the end of any
//   Ombudsman process recorded on it (the PHSO in England, the PSOW in Wales); while a referral is not yet decided
//   there is no retention day at all;
// - a legal hold (litigation, an inquiry, a request to preserve the records) stops the clock: no file under hold is due;
// - at the end the file is due for review and nothing is removed by itself: a manager keeps it for N more years (a new
//   review day) or decides to destroy it, and only that recorded decision lets the trust's action run.
// The years (RETENTION_YEARS, 10 by default) and the action (RETENTION_ACTION: anonymise or delete) are the trust's
// settings (config.ts), not fixed here. Anonymising keeps what statistics need (type, dates, KO41a codes, outcome)
// and removes everything that could identify the patient or repeats what they said.
import { CaseSchema, type Case } from "../case/caseSchema";
import { z } from "zod";
import type { ActionContext, ActionResult } from "../case/change";
import { CaseRuleError } from "../case/errors";
import { addCalendarMonths, addWorkingDays, formatPlainDate, isWorkingDay, londonDate } from "../calendar/calendar";
import { KEEP_YEARS_MAX, RETENTION_REASON_LIMIT, type LegalHold, type RetentionReview } from "./retentionSchema";

export * from "./retentionSchema";

export type RetentionAction = "anonymise" | "delete";

export interface RetentionRules {
  readonly years: number;
  readonly action: RetentionAction;
}

export const DEFAULT_RETENTION: RetentionRules = { years: 10, action: "anonymise" };

const REMOVED = "[removed under the records retention schedule]";

/** What the retention clock reads of a case. */
export type RetentionFacts = Pick<Case, "status" | "closedOn" | "anonymisedOn" | "ombudsman" | "legalHold" | "retentionReview" | "retiringOn">;

/** A case as the review list reads it (a projection): what the clock reads, the reference and type; no patient details. */
export const RetentionCaseSchema = CaseSchema.pick({
  id: true,
  reference: true,
  type: true,
  status: true,
  closedOn: true,
  anonymisedOn: true,
  ombudsman: true,
  legalHold: true,
  retentionReview: true,
});
export type RetentionCase = z.infer<typeof RetentionCaseSchema>;

/** Where a case's records retention clock stands. */
export type RetentionClock =
  /** Open (or never closed): the clock has not started. */
  | { readonly state: "not-closed" }
  /** The patient's details and free text were removed already. */
  | { readonly state: "removed" }
  /** A legal hold stops the clock. */
  | { readonly state: "held"; readonly hold: LegalHold }
  /** An Ombudsman referral not yet decided: a later process continues, so the file is not closed. */
  | { readonly state: "ombudsman-open" }
  /**
   * Counting from the end of the last process. `ombudsmanDateMissing`: the referral was recorded as decided before its
   * decision date was asked for, so the clock counts from the referral (the review says so). `reviewOn`: the day the
   * file is due for review (a working day), or later when a manager kept it.
   */
  | {
      readonly state: "counting";
      readonly lastProcessEndedOn: string;
      readonly ombudsmanDateMissing: boolean;
      readonly reviewOn: string;
    };

/** Records retention is reviewed on working days: a weekend or bank holiday moves to the next working day. */
function workingDayOnOrAfter(day: string): string {
  return isWorkingDay(day) ? day : addWorkingDays(day, 1);
}

export function retentionClock(c: RetentionFacts, rules: RetentionRules): RetentionClock {
  if (c.anonymisedOn) return { state: "removed" };
  if (c.status !== "closed" || !c.closedOn) return { state: "not-closed" };
  if (c.legalHold) return { state: "held", hold: c.legalHold };
  const referral = c.ombudsman;
  if (referral && referral.stage !== "decided") return { state: "ombudsman-open" };
  const ombudsmanEnded = referral ? (referral.decidedOn ?? referral.referredOn) : undefined;
  const ended = ombudsmanEnded !== undefined && ombudsmanEnded > c.closedOn ? ombudsmanEnded : c.closedOn;
  const due = workingDayOnOrAfter(addCalendarMonths(ended, rules.years * 12));
  const keepUntil = c.retentionReview?.keepUntil;
  return {
    state: "counting",
    lastProcessEndedOn: ended,
    ombudsmanDateMissing: referral !== undefined && referral.decidedOn === undefined,
    reviewOn: keepUntil !== undefined && keepUntil > due ? keepUntil : due,
  };
}

/**
 * The day a closed file is due for its records retention review; undefined while the case is open, a later process
 * (an Ombudsman referral) continues, a legal hold is on, or its details were removed already.
 */
export function retentionDay(c: RetentionFacts, rules: RetentionRules): string | undefined {
  const clock = retentionClock(c, rules);
  return clock.state === "counting" ? clock.reviewOn : undefined;
}

/** Due for review: a manager decides whether it is kept or destroyed. */
export function isRetentionDue(c: RetentionFacts, today: string, rules: RetentionRules): boolean {
  const day = retentionDay(c, rules);
  return day !== undefined && day <= today;
}

/** The manager's decision to destroy the file at its current review, when one was made (and not yet carried out). */
export function destroyDecision(c: RetentionFacts, rules: RetentionRules): RetentionReview["destroy"] {
  const decided = c.retentionReview?.destroy;
  const day = retentionDay(c, rules);
  return decided !== undefined && day !== undefined && decided.dueOn === day ? decided : undefined;
}

/**
 * The trust's action (anonymise or delete) may run: the file is due and a manager decided, at this review, to destroy
 * it; or its deletion had already begun (`retiringOn`: the case can't be changed any more, so it is finished).
 */
export function mayDestroyRecords(c: RetentionFacts, today: string, rules: RetentionRules): boolean {
  return isRetentionDue(c, today, rules) && (destroyDecision(c, rules) !== undefined || c.retiringOn !== undefined);
}

/** A file due for review, as the managers' list shows it: no patient details. */
export interface RetentionDueFile {
  readonly caseId: string;
  readonly reference: string;
  readonly type: Case["type"];
  readonly closedOn: string;
  readonly lastProcessEndedOn: string;
  readonly ombudsmanDateMissing: boolean;
  readonly dueSince: string;
  /** The last "keep" decision, if the file was kept before. */
  readonly keptBefore?: NonNullable<RetentionReview["kept"]>;
}

/** The file as the review list shows it, when it is due today (undefined when it is not, e.g. an out-of-date index). */
export function retentionDueFile(
  c: RetentionFacts & Pick<Case, "id" | "reference" | "type">,
  today: string,
  rules: RetentionRules,
): RetentionDueFile | undefined {
  const clock = retentionClock(c, rules);
  if (clock.state !== "counting" || clock.reviewOn > today || !c.closedOn) return undefined;
  return {
    caseId: c.id,
    reference: c.reference,
    type: c.type,
    closedOn: c.closedOn,
    lastProcessEndedOn: clock.lastProcessEndedOn,
    ombudsmanDateMissing: clock.ombudsmanDateMissing,
    dueSince: clock.reviewOn,
    ...(c.retentionReview?.kept ? { keptBefore: c.retentionReview.kept } : {}),
  };
}

// --- the managers' decisions -----------------------------------------------------------------------------

const yearsText = (years: number) => `${years} year${years === 1 ? "" : "s"}`;

export const NOT_DUE_FOR_REVIEW =
  "This file is not due for a records retention review now: it may have been reviewed already, reopened or put under a legal hold. Type **retention review** to see the files that are due.";

function reasonOf(reason: unknown, missing: string): string {
  const text = typeof reason === "string" ? reason.trim() : "";
  if (text === "") throw new CaseRuleError(missing);
  if (text.length > RETENTION_REASON_LIMIT) {
    throw new CaseRuleError(`Shorten the reason to ${RETENTION_REASON_LIMIT.toLocaleString("en-GB")} characters or fewer.`);
  }
  return text;
}

const byOf = (ctx: ActionContext) => ({ aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name });

/** The review record without a destroy decision (one not carried out is cancelled). */
function withoutDestroy(review: RetentionReview | undefined): RetentionReview | undefined {
  if (!review?.destroy) return review;
  const { destroy: _cancelled, ...rest } = review;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function withReview(c: Case, review: RetentionReview | undefined): Case {
  const updated: Case = { ...c, retentionReview: review };
  if (review === undefined) delete updated.retentionReview;
  return updated;
}

/** A legal hold: the records retention clock stops (a destroy decision not yet carried out is cancelled). Open or closed cases. */
export function placeLegalHold(current: Case, reason: string, ctx: ActionContext): ActionResult {
  if (current.anonymisedOn || current.retiringOn) {
    throw new CaseRuleError("This case's details were already removed under the records retention schedule, so there is nothing left to hold.");
  }
  if (current.legalHold) {
    throw new CaseRuleError(`This case is already under a legal hold, placed on ${formatPlainDate(current.legalHold.since)} by ${current.legalHold.by.name}.`);
  }
  const text = reasonOf(reason, "Give the reason for the legal hold: the claim, inquiry or request to keep the records.");
  const since = londonDate(ctx.now);
  const cancelled = current.retentionReview?.destroy !== undefined;
  const updated = withReview(
    { ...current, legalHold: { since, by: byOf(ctx), reason: text }, updatedAt: ctx.now.toISOString() },
    withoutDestroy(current.retentionReview),
  );
  return {
    updated,
    event: {
      kind: "legal-hold-placed",
      summary: `Legal hold placed: records retention is stopped until it is lifted${cancelled ? "; the decision to destroy the records is cancelled" : ""}`,
      // The reason is free text: on the timeline's detail (cleared with the rest when the records are destroyed).
      detail: text,
      changes: [{ field: "legalHold", before: undefined, after: { since } }],
    },
  };
}

/** Lifts the legal hold: the clock counts again from the end of the last process (the file may be due for review at once). */
export function liftLegalHold(current: Case, reason: string, ctx: ActionContext): ActionResult {
  const hold = current.legalHold;
  if (!hold) throw new CaseRuleError("This case has no legal hold to lift.");
  const text = reasonOf(reason, "Give the reason for lifting the legal hold: for example, the claim was settled.");
  const updated: Case = { ...current, updatedAt: ctx.now.toISOString() };
  delete updated.legalHold;
  return {
    updated,
    event: {
      kind: "legal-hold-lifted",
      summary: `Legal hold lifted (placed on ${formatPlainDate(hold.since)}): records retention counts again from the end of the last process`,
      detail: text,
      changes: [{ field: "legalHold", before: { since: hold.since }, after: undefined }],
    },
  };
}

export interface KeepInput {
  /** From the card: 1 to 10 (a number or its digits). */
  readonly years: unknown;
  readonly reason: string;
}

function yearsOf(value: unknown): number {
  const years = typeof value === "number" ? value : typeof value === "string" && /^\s*\d{1,2}\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(years) || years < 1 || years > KEEP_YEARS_MAX) {
    throw new CaseRuleError(`Choose how many more years to keep the records: 1 to ${KEEP_YEARS_MAX}.`);
  }
  return years;
}

/** The review's decision "keep for N more years": the file is due for review again N years from today. */
export function keepRecords(current: Case, input: KeepInput, ctx: ActionContext, rules: RetentionRules): ActionResult {
  const today = londonDate(ctx.now);
  if (!isRetentionDue(current, today, rules)) throw new CaseRuleError(NOT_DUE_FOR_REVIEW);
  const decided = destroyDecision(current, rules);
  if (decided) throw new CaseRuleError(`Destroying this file's records was already decided on ${formatPlainDate(decided.on)} by ${decided.by.name}.`);
  const years = yearsOf(input.years);
  const text = reasonOf(input.reason, "Give the reason for keeping the records longer.");
  const keepUntil = workingDayOnOrAfter(addCalendarMonths(today, years * 12));
  const review: RetentionReview = { ...withoutDestroy(current.retentionReview), keepUntil, kept: { on: today, by: byOf(ctx), years } };
  return {
    updated: withReview({ ...current, updatedAt: ctx.now.toISOString() }, review),
    event: {
      kind: "retention-reviewed",
      summary: `Records retention review: kept for ${yearsText(years)} more; next review on ${formatPlainDate(keepUntil)}`,
      detail: text,
      changes: [{ field: "retentionReview.keepUntil", before: current.retentionReview?.keepUntil, after: keepUntil }],
    },
  };
}

/**
 * The review's decision "destroy": recorded (who, when, for which review day) before anything is removed; the trust's
 * action (anonymise or delete) is then carried out by the application layer (src/cases/retention.ts).
 */
export function decideToDestroy(current: Case, ctx: ActionContext, rules: RetentionRules): ActionResult {
  const today = londonDate(ctx.now);
  if (!isRetentionDue(current, today, rules)) throw new CaseRuleError(NOT_DUE_FOR_REVIEW);
  const decided = destroyDecision(current, rules);
  if (decided) throw new CaseRuleError(`Destroying this file's records was already decided on ${formatPlainDate(decided.on)} by ${decided.by.name}.`);
  const dueOn = retentionDay(current, rules)!;
  const review: RetentionReview = { ...current.retentionReview, destroy: { on: today, at: ctx.now.toISOString(), by: byOf(ctx), dueOn } };
  const what = rules.action === "delete" ? "the case and its timeline are deleted" : "the patient's details and free text are removed";
  return {
    updated: withReview({ ...current, updatedAt: ctx.now.toISOString() }, review),
    event: {
      kind: "retention-reviewed",
      summary: `Records retention review (due ${formatPlainDate(dueOn)}): no longer needed, to be destroyed; ${what} under the records retention schedule`,
      changes: [{ field: "retentionReview.destroy", before: undefined, after: { on: today, dueOn } }],
    },
  };
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
    // No hold can be on a destroyed file; its reason is free text.
    legalHold: undefined,
    anonymisedOn: now.toISOString().slice(0, 10),
    updatedAt: now.toISOString(),
  };
}
