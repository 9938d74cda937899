// Records retention as stored on a case: a legal hold, and the managers' review decisions (a leaf: the rules in
// retention.ts import it).
import { z } from "zod";
import { isIsoDate } from "../calendar/calendar";

/** Longest reason for placing or lifting a legal hold, or for keeping records longer. */
export const RETENTION_REASON_LIMIT = 1000;
/** "Keep for N more years": N is 1 to this. */
export const KEEP_YEARS_MAX = 10;

const isoDate = z.string().refine(isIsoDate, "a date as yyyy-mm-dd");
const person = z.object({ aadObjectId: z.string().min(1), name: z.string().max(200) });

/**
 * A legal hold: litigation, an inquiry or a request to preserve the records. While it is on, the records
 * retention clock is stopped: the file never comes due for review, and nothing is destroyed.
 */
export const LegalHoldSchema = z.object({
  since: isoDate,
  by: person,
  /** Why, as typed by the manager (shown as plain text). */
  reason: z.string().trim().min(1).max(RETENTION_REASON_LIMIT),
});
export type LegalHold = z.infer<typeof LegalHoldSchema>;

/** The managers' decisions when a closed file came due for its records retention review (each is also on the timeline). */
export const RetentionReviewSchema = z.object({
  /** "Keep for N more years": the file is not due for review again before this day. */
  keepUntil: isoDate.optional(),
  /** The last "keep" decision. */
  kept: z.object({ on: isoDate, by: person, years: z.number().int().min(1).max(KEEP_YEARS_MAX) }).optional(),
  /**
   * "Destroy": recorded before anything is removed. `dueOn` is the review day it was made for: it is carried out only
   * while the file is still due on that day (a case reopened and closed again, or put under a legal hold, needs a new one).
   */
  destroy: z.object({ on: isoDate, at: z.string(), by: person, dueOn: isoDate }).optional(),
});
export type RetentionReview = z.infer<typeof RetentionReviewSchema>;
