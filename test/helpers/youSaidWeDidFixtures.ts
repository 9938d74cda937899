import type { Case, LearningAction, PersonRef } from "../../src/domain";

let sequence = 0;

/** An action marked done on `doneOn` (until the action form lands, tests write actions onto cases directly). */
export function doneAction(fields: Partial<LearningAction> & { doneOn: string; by?: PersonRef; evidence?: string }): LearningAction {
  sequence += 1;
  const { doneOn, by, evidence, ...rest } = fields;
  const owner = by ?? { aadObjectId: "00000000-0000-4000-8000-0000000000a1", name: "Olivia Officer" };
  return {
    id: `00000000-0000-4000-a000-${String(sequence).padStart(12, "0")}`,
    description: "Call bells are now checked at every handover.",
    owner,
    division: "Medicine",
    dueOn: doneOn,
    status: "done",
    createdOn: "2026-01-05",
    createdBy: owner,
    done: { on: doneOn, by: owner, evidence: evidence ?? "Audit in March: bells answered within 5 minutes." },
    ...rest,
  };
}

/** An open action, due on `dueOn`. */
export function openAction(fields: Partial<LearningAction> & { dueOn: string }): LearningAction {
  const { done: _done, ...action } = doneAction({ ...fields, doneOn: fields.dueOn });
  return { ...action, status: "open" };
}

/** The case with these actions. */
export function withActions(c: Case, actions: readonly LearningAction[]): Case {
  return { ...c, actions: [...actions] };
}
