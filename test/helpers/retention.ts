import { DEFAULT_RETENTION, londonDate, retentionDay, type Case, type RetentionFacts, type RetentionRules } from "../../src/domain";

/** The manager who decides in these fixtures. */
export const DECIDING_MANAGER = { aadObjectId: "00000000-0000-4000-8000-0000000000a2", name: "Maya Manager" };

/**
 * A manager's decision to destroy the file at its current review, as `retention review` records it: the case fields
 * to add to a closed case that is due, so that the records retention step may run.
 */
export function destroyDecided(c: RetentionFacts, now: Date, rules: RetentionRules = DEFAULT_RETENTION): Pick<Case, "retentionReview"> {
  const dueOn = retentionDay(c, rules);
  if (!dueOn) throw new Error("the fixture's case has no retention day");
  return { retentionReview: { ...c.retentionReview, destroy: { on: londonDate(now), at: now.toISOString(), by: DECIDING_MANAGER, dueOn } } };
}
