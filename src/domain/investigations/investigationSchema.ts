// The investigation request as stored on a case (a leaf: the rules in investigations.ts import it).
import { z } from "zod";
import { isIsoDate } from "../calendar/calendar";

export const UPHELD_VIEWS = [
  { id: "upheld", title: "Upheld" },
  { id: "partially-upheld", title: "Partially upheld" },
  { id: "not-upheld", title: "Not upheld" },
  { id: "unsure", title: "Not for me to say" },
] as const;

const text = (max: number) => z.string().trim().max(max);
const isoDate = z.string().refine(isIsoDate, "a date as yyyy-mm-dd");
const person = z.object({ aadObjectId: z.string().min(1), name: z.string().max(200), teamsUserId: z.string().max(200).optional() });

export const InvestigationRequestSchema = z.object({
  id: z.string().uuid(),
  division: text(200).min(1),
  lead: person,
  /** What the officer wrote for the lead: the only case detail the lead sees. */
  summary: text(4000).min(1),
  questions: text(4000).min(1),
  /** The NHS number is shared only when the officer chooses to. */
  nhsNumber: z.string().optional(),
  dueOn: isoDate,
  status: z.enum(["open", "answered"]),
  requestedBy: person,
  requestedAt: z.string(),
  /** Where the request card was posted: a division channel thread or the lead's personal chat. */
  delivery: z
    .object({
      conversationId: z.string(),
      activityId: z.string().optional(),
      serviceUrl: z.string(),
      channelId: z.string(),
      kind: z.enum(["channel-thread", "personal"]),
    })
    .optional(),
  answer: z
    .object({
      findings: text(4000).min(1),
      actions: text(4000),
      learning: text(4000),
      upheldView: z.enum(UPHELD_VIEWS.map((v) => v.id) as ["upheld", "partially-upheld", "not-upheld", "unsure"]),
      answeredOn: isoDate,
      by: person,
    })
    .optional(),
  extension: z
    .object({
      newDueOn: isoDate,
      reason: text(1000).min(1),
      requestedOn: isoDate,
      state: z.enum(["pending", "accepted", "declined"]),
      decidedBy: person.optional(),
    })
    .optional(),
});

export type InvestigationRequest = z.infer<typeof InvestigationRequestSchema>;
export type UpheldView = NonNullable<InvestigationRequest["answer"]>["upheldView"];

export function upheldViewTitle(id: UpheldView): string {
  return UPHELD_VIEWS.find((v) => v.id === id)?.title ?? id;
}

/** The reminders a lead (and, when overdue, the case owner) gets about an open request. */
export const INVESTIGATION_REMINDERS = ["before", "due-day", "overdue"] as const;
export type InvestigationReminder = (typeof INVESTIGATION_REMINDERS)[number];
