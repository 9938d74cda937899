// An action arising from a case, as stored on the case (a leaf: the rules in learningActions.ts import it).
// Actions outlive their case: a case may close with actions still open, and they stay tracked.
import { z } from "zod";
import { isIsoDate } from "../calendar/calendar";
import { SubjectSchema } from "../reports/ko41a";

/** Longest text of an action (what will change) and of its evidence (what changed). */
export const ACTION_TEXT_LIMIT = 1000;

const text = (max: number) => z.string().trim().max(max);
const isoDate = z.string().refine(isIsoDate, "a date as yyyy-mm-dd");
const person = z.object({ aadObjectId: z.string().min(1), name: z.string().max(200) });

export const LearningActionSchema = z.object({
  id: z.string().uuid(),
  /** What will change, written so a trust can publish it ("You said, we did"): no patient details. */
  description: text(ACTION_TEXT_LIMIT).min(1),
  /** The KO41a subject (theme) the action answers; left out when the case has none coded yet. */
  subject: SubjectSchema.optional(),
  owner: person,
  division: text(200).min(1),
  dueOn: isoDate,
  status: z.enum(["open", "done"]),
  createdOn: isoDate,
  createdBy: person,
  /** Set when the owner marks it done, with what changed. */
  done: z.object({ on: isoDate, by: person, evidence: text(ACTION_TEXT_LIMIT).min(1) }).optional(),
});

export type LearningAction = z.infer<typeof LearningActionSchema>;
