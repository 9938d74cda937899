// Keeping a complainant updated while their complaint is open (NHS Complaint Standards): the updates given, as
// stored on the case, and when the next one is due. The cadence is the trust's (rules.updates.workingDays).
// A leaf of the domain: deadlines.ts builds the next update into a case's deadlines from here.
import { z } from "zod";
import { addWorkingDays, formatPlainDate, isIsoDate, londonDate } from "../calendar/calendar";
import type { Case } from "../case/caseSchema";
import type { ActionContext, CaseEventDraft } from "../case/change";
import { idsOf, titleOf } from "../case/choice";
import { CaseRuleError } from "../case/errors";

/** Working days a complainant waits at most between updates while a complaint is open (England's default). */
export const UPDATE_CADENCE_WORKING_DAYS = 20;
/** Longest note about an update given. */
export const UPDATE_NOTE_LIMIT = 500;

export const UPDATE_METHODS = [
  { id: "phone", title: "Phone" },
  { id: "email", title: "Email" },
  { id: "letter", title: "Letter" },
  { id: "face-to-face", title: "Face to face" },
  { id: "video-call", title: "Video call" },
  { id: "text-message", title: "Text message" },
] as const;

export const UpdateMethodSchema = z.enum(idsOf(UPDATE_METHODS));
export type UpdateMethod = z.infer<typeof UpdateMethodSchema>;
export const updateMethodTitle = (id: UpdateMethod): string => titleOf(UPDATE_METHODS, id);

const HOW: Readonly<Record<UpdateMethod, string>> = {
  phone: "by phone",
  email: "by email",
  letter: "by letter",
  "face-to-face": "face to face",
  "video-call": "by video call",
  "text-message": "by text message",
};

/** "by phone", "face to face": how an update was given, in a sentence. */
export const updateHow = (id: UpdateMethod): string => HOW[id] ?? `by ${id}`;

/**
 * An update given to the complainant, as the case keeps it: when and how, and who recorded it. The note stays
 * on the timeline (as typed text does), so reports and lists that read the case never carry it.
 */
export const ComplainantUpdateSchema = z.object({
  on: z.string().refine(isIsoDate, "a date as yyyy-mm-dd"),
  how: UpdateMethodSchema,
  by: z.object({ aadObjectId: z.string().min(1), name: z.string().max(200) }),
  recordedAt: z.string().datetime({ offset: true }),
});
export type ComplainantUpdate = z.infer<typeof ComplainantUpdateSchema>;

/** What decides when the next update is due. */
export type UpdateFacts = Pick<Case, "type" | "status" | "receivedOn" | "deadlines"> & Partial<Pick<Case, "escalatedFromConcernOn" | "updates">>;

/**
 * The last contact with the complainant on or before `asOf` (any day when left out): the latest of the day the
 * complaint started (received, or escalated from a concern), the acknowledgement sent, and the updates given.
 */
export function lastContactOn(c: Omit<UpdateFacts, "status" | "type">, asOf?: string): string {
  const known = (day: string | undefined): day is string => day !== undefined && (asOf === undefined || day <= asOf);
  const days = [c.escalatedFromConcernOn ?? c.receivedOn, c.deadlines.acknowledgedOn, ...(c.updates ?? []).map((u) => u.on)].filter(known);
  return days.sort().at(-1) ?? c.escalatedFromConcernOn ?? c.receivedOn;
}

/**
 * When the next update to the complainant is due: `workingDays` working days after the last contact. Only
 * open complaints have one; a concern, an enquiry, a compliment or a closed complaint has none.
 */
export function nextUpdateDue(c: Partial<UpdateFacts>, workingDays: number): string | undefined {
  if (c.type !== "complaint" || c.status !== "open" || !c.receivedOn || !c.deadlines) return undefined;
  return addWorkingDays(
    lastContactOn({ receivedOn: c.receivedOn, deadlines: c.deadlines, escalatedFromConcernOn: c.escalatedFromConcernOn, updates: c.updates }),
    workingDays,
  );
}

/**
 * Whether a complaint open at the end of `day` had its next update due before that day, counting only the
 * contacts made by then (for a report on a past period). The caller checks the complaint was open on that day.
 */
export function updateOverdueOn(c: Omit<UpdateFacts, "status">, day: string, workingDays: number): boolean {
  const startedOn = c.escalatedFromConcernOn ?? c.receivedOn;
  if (c.type !== "complaint" || startedOn > day) return false;
  return addWorkingDays(lastContactOn(c, day), workingDays) < day;
}

/** The most recent update given, if any. */
export function lastUpdateGiven(c: Partial<Pick<Case, "updates">>): ComplainantUpdate | undefined {
  return [...(c.updates ?? [])].sort((a, b) => a.on.localeCompare(b.on) || a.recordedAt.localeCompare(b.recordedAt)).at(-1);
}

// --- "Record update given" -------------------------------------------------------------------

/** What the card sends: how, when (yyyy-mm-dd) and an optional note. Checked here, whatever the card allowed. */
export interface UpdateGivenInput {
  readonly how: unknown;
  readonly on: unknown;
  readonly note?: unknown;
}

/**
 * Checks an update given to the complainant against the case as it now stands: an open formal complaint, a
 * real date that is neither in the future nor before the complaint was received, a known way of giving it and
 * a short note. Returns the update to keep on the case and its timeline entry (the note in the entry's
 * detail, never in its summary). The caller stamps the case (its next due date moves).
 */
export function checkUpdateGiven(c: Case, input: UpdateGivenInput, ctx: ActionContext): { update: ComplainantUpdate; event: CaseEventDraft } {
  if (c.type !== "complaint") {
    const next = c.type === "concern" ? " If it has become a formal complaint, escalate it first." : "";
    throw new CaseRuleError(
      `Updates to the complainant are recorded on formal complaints; this is ${c.type === "enquiry" ? "an enquiry" : `a ${c.type}`}.${next}`,
    );
  }
  if (c.status !== "open") throw new CaseRuleError("This complaint is closed, so no more updates are due. Reopen it first if you need to record one.");
  const how = UpdateMethodSchema.safeParse(input.how);
  if (!how.success) throw new CaseRuleError("Choose how the update was given from the list.");
  const on = typeof input.on === "string" ? input.on.trim() : "";
  if (!isIsoDate(on)) throw new CaseRuleError("Enter the date the update was given as a real date.");
  const today = londonDate(ctx.now);
  if (on > today) throw new CaseRuleError("The update date can't be in the future. Record it once the update has been given.");
  if (on < c.receivedOn)
    throw new CaseRuleError(`The update can't have been given before the complaint was received (${formatPlainDate(c.receivedOn)}). Check the date.`);
  if (input.note !== undefined && input.note !== null && typeof input.note !== "string") throw new CaseRuleError("Write the note as text.");
  const note = typeof input.note === "string" ? input.note.trim() : "";
  if (note.length > UPDATE_NOTE_LIMIT) throw new CaseRuleError(`Shorten the note to ${UPDATE_NOTE_LIMIT} characters or fewer.`);
  const update: ComplainantUpdate = { on, how: how.data, by: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name }, recordedAt: ctx.now.toISOString() };
  return {
    update,
    event: {
      kind: "update-given",
      summary: `Update given to the complainant (${updateHow(update.how)})${on === today ? "" : ` on ${formatPlainDate(on)}`}`,
      ...(note !== "" ? { detail: note } : {}),
      changes: [{ field: "updates", before: undefined, after: { on, how: update.how } }],
    },
  };
}
