import type { CaseRecord } from "../domain";

/** Someone PALS Desk can offer in a pick list (assign to, ask as a clinical lead). */
export interface StaffChoice {
  readonly id: string;
  readonly title: string;
}

/** A case as one person should see it: the record, and the people they may pick on its card. */
export interface CaseView {
  readonly record: CaseRecord;
  /** Who the case may be assigned to (empty unless the person may assign it). */
  readonly staff: readonly StaffChoice[];
  /** Clinical leads who may be asked for investigation input (empty unless the person may ask). */
  readonly leads: readonly StaffChoice[];
}

/** Why something was not done; `message` is plain English for the person, saying what to do next. */
export type Problem = "not-found" | "not-allowed" | "rule" | "changed";

export type Refused = {
  readonly ok: false;
  readonly problem: Problem;
  readonly message: string;
  /** The case as it now stands, when the person may see it, to show with the message. */
  readonly view?: CaseView;
};

export type Done<T> = { readonly ok: true } & T;

export type Result<T> = Done<T> | Refused;

export function refused(problem: Problem, message: string, view?: CaseView): Refused {
  return { ok: false, problem, message, ...(view ? { view } : {}) };
}

export const CASE_NOT_FOUND = "We couldn't find that case. The card may be out of date: type **my cases** or **case** and the reference to see it again.";

/** The acting system (sweep, retention, delivery), for the timeline. */
export const PALS_DESK = { aadObjectId: "pals-desk", name: "PALS Desk" } as const;
