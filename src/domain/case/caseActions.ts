// What officers' card actions do to a case: pure functions, no I/O.
// Each takes the case as it now stands (src/cases/changes.ts may call it again on a fresher copy after a conflict),
// refuses with a CaseRuleError when the action no longer applies, and returns the changed case with
// the timeline entry to append. Summaries are shown on timeline cards and in channel posts, so they
// never carry patient details or anything the officer typed: free text goes in `detail`.
import { z } from "zod";
import {
  type Case,
  type ContactType,
  DiscussionAnswerSchema,
  discussionAnswerTitle,
  IncidentReferenceTextSchema,
  IncidentSystemSchema,
  incidentSystemTitle,
  type Outcome,
  type PersonRef,
  LIMITS,
  outcomeTitle,
  outcomesFor,
} from "./caseSchema";
import { formatPlainDate, isIsoDate, londonDate, workingDaysBetween } from "../calendar/calendar";
import type { ActionContext, ActionResult } from "./change";
import { checkUpdateGiven, type UpdateGivenInput } from "../deadlines/complainantUpdates";
import { backstopLabel, escalateToComplaint, extendResponse, nextDue } from "../deadlines/deadlines";
import { CaseRuleError } from "./errors";
import { NATIONAL_BODIES } from "../deadlines/nations";

type Change = { readonly field: string; readonly before?: unknown; readonly after?: unknown };

/** Longest reason for changing a response date or reopening a case. */
export const REASON_LIMIT = 1000;
/** Longest note on a case. */
export const NOTE_LIMIT = 4000;

const CLOSED_MESSAGE = "This case is closed. Reopen it first if you need to change it.";

// --- created -------------------------------------------------------------------------------

const RECEIVED_HOW: Record<Case["receivedVia"], string> = {
  phone: "by phone",
  email: "by email",
  letter: "by letter",
  "face-to-face": "face to face",
  web: "through the web form",
  "mp-letter": "in a letter from an MP",
  regulator: "from a regulator or Ombudsman",
};

/** The first timeline entry of a newly logged case; the case itself is unchanged. */
export function logCreated(c: Case, _ctx: ActionContext): ActionResult {
  const how = RECEIVED_HOW[c.receivedVia] ?? `via ${c.receivedVia}`;
  return {
    updated: c,
    event: { kind: "created", summary: `${typeName(c.type)} logged (received ${how} on ${formatPlainDate(c.receivedOn)})` },
  };
}

// --- ownership -----------------------------------------------------------------------------

export function takeOwnership(current: Case, ctx: ActionContext): ActionResult {
  requireOpen(current);
  if (current.owner?.aadObjectId === ctx.actor.aadObjectId) throw new CaseRuleError("You already own this case.");
  const owner: PersonRef = { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name };
  const summary = current.owner ? `${owner.name} took over this case from ${current.owner.name}` : `${owner.name} took ownership of this case`;
  return {
    updated: stamp({ ...current, owner }, ctx),
    event: { kind: "owner-changed", summary, changes: [{ field: "owner", before: copyPerson(current.owner), after: copyPerson(owner) }] },
  };
}

export function assignOwner(current: Case, to: PersonRef, ctx: ActionContext): ActionResult {
  requireOpen(current);
  if (!to || typeof to.aadObjectId !== "string" || to.aadObjectId.trim() === "") {
    throw new CaseRuleError("Choose the person to assign this case to.");
  }
  if (current.owner?.aadObjectId === to.aadObjectId) {
    throw new CaseRuleError(to.aadObjectId === ctx.actor.aadObjectId ? "You already own this case." : `${to.name || "That person"} already owns this case.`);
  }
  const owner: PersonRef = { aadObjectId: to.aadObjectId, name: to.name };
  const summary = current.owner ? `Case reassigned from ${current.owner.name} to ${owner.name}` : `Case assigned to ${owner.name}`;
  return {
    updated: stamp({ ...current, owner }, ctx),
    event: { kind: "owner-changed", summary, changes: [{ field: "owner", before: copyPerson(current.owner), after: copyPerson(owner) }] },
  };
}

// --- notes ---------------------------------------------------------------------------------

/** Notes may be added to closed cases too (a late phone call, a thank-you letter). */
export function addNote(current: Case, note: string, ctx: ActionContext): ActionResult {
  const text = requiredText(note, NOTE_LIMIT, "Write a note first", "note");
  return { updated: stamp({ ...current }, ctx), event: { kind: "note-added", summary: "Note added", detail: text } };
}

// --- acknowledgement -----------------------------------------------------------------------

export function recordAcknowledgement(current: Case, sentOn: string, ctx: ActionContext): ActionResult {
  requireOpen(current);
  if (current.type !== "complaint") {
    const next = current.type === "concern" ? " If it has become a formal complaint, escalate it first." : "";
    throw new CaseRuleError(`Only a formal complaint needs an acknowledgement recording; this is ${withArticle(current.type)}.${next}`);
  }
  const { acknowledgeBy, acknowledgedOn } = current.deadlines;
  if (acknowledgedOn) {
    throw new CaseRuleError(`The acknowledgement is already recorded as sent on ${formatPlainDate(acknowledgedOn)}.`);
  }
  if (!acknowledgeBy) throw new CaseRuleError("This complaint has no acknowledgement date to meet, so there is nothing to record.");
  const date = typeof sentOn === "string" ? sentOn.trim() : sentOn;
  if (!isIsoDate(date)) throw new CaseRuleError("Enter the date the acknowledgement was sent as a real date.");
  // For a concern that became a complaint the complaint (and its acknowledgement) started on the escalation date.
  const startedOn = current.escalatedFromConcernOn ?? current.receivedOn;
  if (date < startedOn) {
    const what = current.escalatedFromConcernOn ? "the concern became a complaint" : "the complaint was received";
    throw new CaseRuleError(`The acknowledgement can't have been sent before ${what} (${formatPlainDate(startedOn)}). Check the date.`);
  }
  const today = londonDate(ctx.now);
  if (date > today) throw new CaseRuleError("The acknowledgement date can't be in the future. Record it once it has been sent.");

  let timeliness: string;
  if (date <= acknowledgeBy) timeliness = "on time";
  else {
    const late = workingDaysBetween(acknowledgeBy, date);
    timeliness = late >= 1 ? `${late} working ${late === 1 ? "day" : "days"} late` : "late";
  }
  const updated = stamp({ ...current, deadlines: { ...current.deadlines, acknowledgedOn: date } }, ctx);
  return {
    updated,
    event: {
      kind: "acknowledged",
      summary: `Acknowledgement sent on ${formatPlainDate(date)}, ${timeliness} (due ${formatPlainDate(acknowledgeBy)})`,
      changes: [{ field: "deadlines.acknowledgedOn", before: undefined, after: date }],
    },
  };
}

// --- response date -------------------------------------------------------------------------

export interface ChangeResponseDateInput {
  newDate: string;
  reason: string;
  /** The person who raised it agreed the new date. */
  agreedWithComplainant: boolean;
  /** The complainant agreed a period beyond the 6-month backstop (reg 14). */
  longerPeriodAgreed?: boolean;
}

export function changeResponseDate(current: Case, input: ChangeResponseDateInput, ctx: ActionContext): ActionResult {
  requireOpen(current);
  const before = current.deadlines.respondBy;
  if (!before) {
    throw new CaseRuleError(current.type === "compliment" ? "A compliment has no response date to change." : "This case has no response date to change.");
  }
  const reason = requiredText(input.reason, REASON_LIMIT, "Give a reason for changing the response date", "reason");
  const newDate = typeof input.newDate === "string" ? input.newDate.trim() : input.newDate;
  if (!isIsoDate(newDate)) throw new CaseRuleError("Enter the new response date as a real date.");
  const today = londonDate(ctx.now);
  if (newDate < today) throw new CaseRuleError("The new response date can't be in the past. Choose today or a later date.");
  const agreed = input.agreedWithComplainant === true;
  if (input.longerPeriodAgreed === true && !agreed) {
    throw new CaseRuleError(
      `A period beyond the ${backstopLabel(ctx.rules.deadlines)} must be agreed with the complainant. Record that they agreed the new date.`,
    );
  }
  if (newDate === before && (!agreed || current.deadlines.respondByAgreed === true)) {
    throw new CaseRuleError(`The response date is already ${formatPlainDate(before)}. Choose a different date.`);
  }

  // extendResponse checks the clock start and the backstop; it always marks the date agreed, so we set that ourselves.
  const extended = extendResponse(current, newDate, reason, { agreedLonger: input.longerPeriodAgreed === true, rules: ctx.rules, today: londonDate(ctx.now) });
  const deadlines: Case["deadlines"] = { ...extended.deadlines };
  if (agreed) deadlines.respondByAgreed = true;
  else delete deadlines.respondByAgreed;
  const updated = stamp({ ...extended, deadlines }, ctx);

  const changes: Change[] = [{ field: "deadlines.respondBy", before, after: newDate }];
  pushIfChanged(changes, "deadlines.respondByAgreed", current.deadlines.respondByAgreed, deadlines.respondByAgreed);
  pushIfChanged(changes, "deadlines.longerPeriodAgreed", current.deadlines.longerPeriodAgreed, deadlines.longerPeriodAgreed);

  let summary: string;
  if (agreed) {
    summary = `Response date agreed with the complainant: ${formatPlainDate(newDate)}`;
    if (newDate !== before) summary += ` (was ${formatPlainDate(before)})`;
  } else {
    summary = `Response date changed from ${formatPlainDate(before)} to ${formatPlainDate(newDate)}`;
  }
  if (deadlines.longerPeriodAgreed && !current.deadlines.longerPeriodAgreed) summary += `, beyond the ${backstopLabel(ctx.rules.deadlines)} as agreed`;
  return { updated, event: { kind: "response-date-changed", summary, detail: reason, changes } };
}

// --- escalation ----------------------------------------------------------------------------

/** A PALS concern becomes a formal complaint; complaint deadlines start again from today. */
export function escalateConcernToComplaint(current: Case, ctx: ActionContext): ActionResult {
  if (current.type === "complaint") throw new CaseRuleError("This is already a formal complaint.");
  if (current.type !== "concern") {
    throw new CaseRuleError(
      `Only a PALS concern can be escalated to a formal complaint; this is ${withArticle(current.type)}. ` +
        "If they want to make a complaint, log it as a new complaint.",
    );
  }
  if (current.status !== "open") {
    throw new CaseRuleError("This concern is closed. Reopen it first, then escalate it to a complaint.");
  }
  const today = londonDate(ctx.now);
  const escalated = escalateToComplaint(current, today, ctx.rules);
  const updated = stamp(escalated, ctx);
  const d = updated.deadlines;
  const changes: Change[] = [{ field: "type", before: current.type, after: updated.type }];
  pushIfChanged(changes, "complexity", current.complexity, updated.complexity);
  pushIfChanged(changes, "escalatedFromConcernOn", current.escalatedFromConcernOn, updated.escalatedFromConcernOn);
  for (const key of ["acknowledgeBy", "acknowledgedOn", "respondBy", "respondByAgreed", "backstop", "longerPeriodAgreed"] as const) {
    pushIfChanged(changes, `deadlines.${key}`, current.deadlines[key], d[key]);
  }
  pushIfChanged(changes, "flags", current.flags, updated.flags);
  const parts = [d.acknowledgeBy && `acknowledge by ${formatPlainDate(d.acknowledgeBy)}`, d.respondBy && `respond by ${formatPlainDate(d.respondBy)}`];
  const due = parts.filter((p): p is string => typeof p === "string").join(", ");
  return {
    updated,
    event: {
      kind: "escalated-to-complaint",
      summary: `PALS concern escalated to a formal complaint${due ? `: ${due}` : ""}`,
      changes,
    },
  };
}

// --- signposting ---------------------------------------------------------------------------

export interface SignpostingChoice {
  id: string;
  title: string;
}

/** Records organisations we pointed them to; allowed on closed cases too. */
export function recordSignposting(current: Case, organisations: readonly SignpostingChoice[], ctx: ActionContext): ActionResult {
  const chosen: SignpostingChoice[] = [];
  // Checked as if from outside: the application layer passes what a card chose.
  for (const org of (Array.isArray(organisations) ? organisations : []) as readonly Partial<Record<keyof SignpostingChoice, unknown>>[]) {
    const id = typeof org?.id === "string" ? org.id.trim() : "";
    if (id === "" || chosen.some((o) => o.id === id)) continue;
    const title = typeof org.title === "string" && org.title.trim() !== "" ? org.title.trim() : id;
    chosen.push({ id, title });
  }
  if (chosen.length === 0) throw new CaseRuleError("Choose at least one organisation they were signposted to.");
  const signposting = [...current.signposting];
  for (const org of chosen) if (!signposting.includes(org.id)) signposting.push(org.id);
  const changes: Change[] = [];
  pushIfChanged(changes, "signposting", current.signposting, signposting);
  return {
    updated: stamp({ ...current, signposting }, ctx),
    event: {
      kind: "signposting-recorded",
      summary: `Signposted to ${chosen.map((o) => o.title).join(", ")}`,
      ...(changes.length > 0 ? { changes } : {}),
    },
  };
}

// --- closing and reopening -----------------------------------------------------------------

export interface CloseCaseInput {
  outcome: Outcome;
  learning?: string;
}

export function closeCase(current: Case, input: CloseCaseInput, ctx: ActionContext): ActionResult {
  if (current.status === "closed") throw new CaseRuleError("This case is already closed.");
  const allowed = outcomesFor(current.type);
  if (!allowed.includes(input.outcome)) {
    const words = allowed.map((o) => outcomeTitle(o).toLowerCase());
    throw new CaseRuleError(`Choose an outcome for ${withArticle(current.type)}: ${orList(words)}.`);
  }
  if (current.type === "complaint" && !current.deadlines.acknowledgedOn) {
    throw new CaseRuleError("Record the acknowledgement first, then close the complaint.");
  }
  let learning: string | undefined;
  if (input.learning !== undefined && input.learning !== null) {
    if (typeof input.learning !== "string") throw new CaseRuleError("Write the learning as text.");
    const trimmed = input.learning.trim();
    if (trimmed.length > LIMITS.learning) {
      throw new CaseRuleError(`Shorten the learning to ${LIMITS.learning.toLocaleString("en-GB")} characters or fewer.`);
    }
    if (trimmed !== "") learning = trimmed;
  }
  const today = londonDate(ctx.now);
  const closed: Case = { ...current, status: "closed", outcome: input.outcome, closedOn: today };
  if (learning !== undefined) closed.learning = learning;
  const updated = stamp(closed, ctx);
  const changes: Change[] = [{ field: "status", before: current.status, after: "closed" }];
  pushIfChanged(changes, "outcome", current.outcome, input.outcome);
  pushIfChanged(changes, "closedOn", current.closedOn, today);
  return {
    updated,
    event: {
      kind: "closed",
      summary: `${typeName(current.type)} closed: ${outcomeTitle(input.outcome).toLowerCase()}`,
      ...(learning !== undefined ? { detail: learning } : {}),
      changes,
    },
  };
}

/** Reopens a closed case; the learning recorded at closing stays, the outcome and closing date go. */
export function reopenCase(current: Case, reason: string, ctx: ActionContext): ActionResult {
  if (current.status !== "closed") throw new CaseRuleError("This case is already open.");
  const text = requiredText(reason, REASON_LIMIT, "Give a reason for reopening the case", "reason");
  const reopened: Case = { ...current, status: "open" };
  delete reopened.outcome;
  delete reopened.closedOn;
  const updated = stamp(reopened, ctx);
  const changes: Change[] = [{ field: "status", before: "closed", after: "open" }];
  pushIfChanged(changes, "outcome", current.outcome, undefined);
  pushIfChanged(changes, "closedOn", current.closedOn, undefined);
  let summary = `${typeName(current.type)} reopened`;
  if (updated.nextDueOn) summary += `: next due ${formatPlainDate(updated.nextDueOn)}`;
  return { updated, event: { kind: "reopened", summary, detail: text, changes } };
}

// --- updates to the complainant ------------------------------------------------------------

/** "Record update given" on an open complaint (complainantUpdates.ts checks it); the next update falls due from it. */
export function recordUpdateGiven(current: Case, input: UpdateGivenInput, ctx: ActionContext): ActionResult {
  const { update, event } = checkUpdateGiven(current, input, ctx);
  return { updated: stamp({ ...current, updates: [...(current.updates ?? []), update] }, ctx), event };
}

// --- helpers -------------------------------------------------------------------------------

// --- patient safety ------------------------------------------------------------------------

/** "Record incident reference": which incident system, and its reference (checked, never free text). */
export const IncidentReferenceInputSchema = z.object({
  system: IncidentSystemSchema,
  reference: IncidentReferenceTextSchema,
});
export type IncidentReferenceInput = z.infer<typeof IncidentReferenceInputSchema>;

/**
 * Records where a possible patient safety incident was reported (or corrects it); closed cases too, as reporting
 * may come later. The timeline names the system; the reference goes in the entry's detail.
 */
export function recordIncidentReference(current: Case, input: unknown, ctx: ActionContext): ActionResult {
  if (!current.safetyIncident) {
    throw new CaseRuleError("This case is not flagged as a possible patient safety incident. Set the flag in the case's details first.");
  }
  const parsed = IncidentReferenceInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CaseRuleError(issue?.path[0] === "system" ? "Choose the incident system from the list." : `${issue?.message ?? "Check the incident reference"}.`);
  }
  const { system, reference } = parsed.data;
  const before = current.incidentReference;
  if (before && before.system === system && before.reference === reference) throw new CaseRuleError("That incident reference is already recorded.");
  const recorded = { system, reference, recordedOn: londonDate(ctx.now), by: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name } };
  return {
    updated: stamp({ ...current, incidentReference: recorded }, ctx),
    event: {
      kind: "incident-reference-recorded",
      summary: `${before ? "Incident reference changed" : "Incident reference recorded"}: reported on ${incidentSystemTitle(system)}`,
      detail: `${incidentSystemTitle(system)} reference ${reference}`,
      changes: [
        { field: "incidentReference", before: before ? { system: before.system, reference: before.reference } : undefined, after: { system, reference } },
      ],
    },
  };
}

function requireOpen(c: Case): void {
  if (c.status !== "open") throw new CaseRuleError(CLOSED_MESSAGE);
}

/** Stamps updatedAt and recomputes the next due date (none once closed). */
function stamp(c: Case, ctx: ActionContext): Case {
  const next: Case = { ...c, updatedAt: ctx.now.toISOString() };
  const due = nextDue(next, ctx.rules.updates.workingDays);
  if (due) next.nextDueOn = due;
  else delete next.nextDueOn;
  return next;
}

function requiredText(value: unknown, max: number, missing: string, what: string): string {
  const text = typeof value === "string" ? value.trim() : "";
  if (text === "") throw new CaseRuleError(`${missing}.`);
  if (text.length > max) throw new CaseRuleError(`Shorten the ${what} to ${max.toLocaleString("en-GB")} characters or fewer.`);
  return text;
}

function pushIfChanged(changes: Change[], field: string, before: unknown, after: unknown): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  changes.push({ field, before: cloneValue(before), after: cloneValue(after) });
}

function cloneValue(value: unknown): unknown {
  return Array.isArray(value) ? [...(value as unknown[])] : value;
}

function copyPerson(p: PersonRef | undefined): PersonRef | undefined {
  return p ? { aadObjectId: p.aadObjectId, name: p.name } : undefined;
}

const TYPE_NAMES: Record<ContactType, string> = {
  enquiry: "Enquiry",
  concern: "PALS concern",
  complaint: "Complaint",
  compliment: "Compliment",
};

function typeName(type: ContactType): string {
  return TYPE_NAMES[type] ?? type;
}

function withArticle(type: string): string {
  return `${/^[aeiou]/i.test(type) ? "an" : "a"} ${type}`;
}

function orList(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

// --- time limit (reg 12) ---------------------------------------------------------------------

/**
 * "Consider it all the same" on an out-of-time complaint (SI 2009/309 reg 12(4)): recorded with the reason (good
 * reason for the delay, and why a fair investigation is still possible); the reason goes on the timeline only.
 */
export function waiveTimeLimit(current: Case, reason: string, ctx: ActionContext): ActionResult {
  if (current.status !== "open" || current.retiringOn) throw new CaseRuleError(CLOSED_MESSAGE);
  if (current.type !== "complaint" || !current.flags.includes("out-of-time")) {
    throw new CaseRuleError("Only a complaint flagged out of time needs the time limit set aside.");
  }
  if (current.timeLimitWaived) throw new CaseRuleError(`The time limit was already set aside on ${formatPlainDate(current.timeLimitWaived.on)}.`);
  const text = typeof reason === "string" ? reason.trim() : "";
  if (text === "") throw new CaseRuleError("Give the reason: why they could not complain in time, and why a fair investigation is still possible.");
  if (text.length > REASON_LIMIT) throw new CaseRuleError(`Shorten the reason to ${REASON_LIMIT.toLocaleString("en-GB")} characters or fewer.`);
  const on = londonDate(ctx.now);
  return {
    updated: stamp({ ...current, timeLimitWaived: { on, by: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name } } }, ctx),
    event: { kind: "time-limit-waived", summary: "Time limit set aside: the complaint will be considered (regulation 12(4))", detail: text },
  };
}

/**
 * The discussion offered at the start of a complaint, recorded like the law asks: offered on, accepted or declined,
 * held on. England: the offer to discuss (SI 2009/309 reg 13(3); declined, the body sets the response period and tells
 * the complainant in writing, reg 13(4)). Wales: the listening discussion. `rules.nation` names it (nations.ts).
 */
export function recordDiscussion(current: Case, input: { offeredOn: string; answer: string; heldOn: string }, ctx: ActionContext): ActionResult {
  requireOpen(current);
  if (current.type !== "complaint") throw new CaseRuleError("Only a complaint has a discussion offered at the start.");
  const { name, law } = NATIONAL_BODIES[ctx.rules.nation].discussion;
  const today = londonDate(ctx.now);
  const started = current.escalatedFromConcernOn ?? current.receivedOn;
  const offeredOn = input.offeredOn.trim();
  const heldOn = input.heldOn.trim();
  if (!isIsoDate(offeredOn)) throw new CaseRuleError("Enter the date the discussion was offered as a real date.");
  if (offeredOn < started) throw new CaseRuleError(`The discussion can't have been offered before the complaint was received (${formatPlainDate(started)}).`);
  if (offeredOn > today) throw new CaseRuleError("The date the discussion was offered can't be in the future.");
  const parsedAnswer = DiscussionAnswerSchema.safeParse(input.answer);
  if (!parsedAnswer.success) throw new CaseRuleError("Choose whether they accepted, declined, or have not answered yet.");
  const answer = parsedAnswer.data;
  if (heldOn !== "" && answer !== "accepted")
    throw new CaseRuleError("A discussion can only be held once they accepted it: choose Accepted, or clear the date held.");
  if (heldOn !== "" && !isIsoDate(heldOn)) throw new CaseRuleError("Enter the date the discussion was held as a real date, or leave it blank.");
  if (heldOn !== "" && heldOn < offeredOn) throw new CaseRuleError("The discussion can't have been held before it was offered.");
  if (heldOn !== "" && heldOn > today) throw new CaseRuleError("The date the discussion was held can't be in the future.");
  const recorded: NonNullable<Case["discussion"]> = {
    offeredOn,
    answer,
    ...(heldOn ? { heldOn } : {}),
    by: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name },
  };
  const before = current.discussion;
  if (before && before.offeredOn === offeredOn && before.answer === answer && before.heldOn === recorded.heldOn)
    throw new CaseRuleError("That is already recorded.");
  const answerText = discussionAnswerTitle(answer).toLowerCase();
  const declined = answer === "declined" ? "; the trust sets the response period and tells them in writing" : "";
  return {
    updated: stamp({ ...current, discussion: recorded }, ctx),
    event: {
      kind: "discussion-recorded",
      summary: `${name} (${law}): offered ${formatPlainDate(offeredOn)}, ${answerText}${heldOn ? `, held ${formatPlainDate(heldOn)}` : ""}${ctx.rules.nation === "england" ? declined : ""}`,
      changes: [
        {
          field: "discussion",
          before: before ? { offeredOn: before.offeredOn, answer: before.answer, heldOn: before.heldOn } : undefined,
          after: { offeredOn, answer, heldOn: recorded.heldOn },
        },
      ],
    },
  };
}
