import type { Case, ComplexityTier, ContactType } from "../case/caseSchema";
import { addCalendarDays, addCalendarMonths, addWorkingDays, formatPlainDate, isIsoDate } from "../calendar/calendar";
import type { ActionContext, ActionResult } from "../case/change";
import { nextUpdateDue } from "./complainantUpdates";
import { CaseRuleError } from "../case/errors";
import type { Rules } from "./rules";

/** The deadline rules; the defaults are the NHS complaints regulations and common PALS practice. Trusts may vary them. */
export interface DeadlineRules {
  /** Formal complaint acknowledgement (SI 2009/309 reg 13: 3 working days). */
  acknowledgeWorkingDays: number;
  /** Complaint response when no complexity tier has been set. */
  defaultComplexity: ComplexityTier;
  /**
   * Working days for a complaint's response by complexity tier (the case stores the tier: 25 standard, 40
   * complex, 60 very complex). Left out, a tier's working days are its number.
   */
  complexityWorkingDays?: Readonly<Record<ComplexityTier, number>>;
  /**
   * The statutory backstop: SI 2009/309 reg 14(2)(b), the response is sent within "six months beginning with the
   * day on which the complaint was received", or a longer period agreed before that period ends (reg 14(2)(b)).
   */
  backstopMonths: number;
  concernWorkingDays: number;
  enquiryWorkingDays: number;
  /** Reg 12: a complaint made later than this after the event is out of time. */
  outOfTimeMonths: number;
}

export const DEFAULT_DEADLINE_RULES: Readonly<DeadlineRules> = Object.freeze({
  acknowledgeWorkingDays: 3,
  defaultComplexity: 25,
  complexityWorkingDays: Object.freeze({ 25: 25, 40: 40, 60: 60 }),
  backstopMonths: 6,
  concernWorkingDays: 10,
  enquiryWorkingDays: 2,
  outOfTimeMonths: 12,
});

export interface DeadlineInput {
  type: ContactType;
  /** The day the clock starts: receipt, or the escalation date for a concern that became a complaint. */
  receivedOn: string;
  complexity?: ComplexityTier;
}

export interface ComputedDeadlines {
  acknowledgeBy?: string;
  respondBy?: string;
  backstop?: string;
}

export function computeDeadlines(input: DeadlineInput, rules: Readonly<DeadlineRules>): ComputedDeadlines {
  const { type, receivedOn } = input;
  switch (type) {
    case "complaint":
      return {
        acknowledgeBy: addWorkingDays(receivedOn, rules.acknowledgeWorkingDays),
        respondBy: addWorkingDays(receivedOn, tierWorkingDays(rules, input.complexity ?? rules.defaultComplexity)),
        backstop: lastDayOfPeriodBeginningWith(receivedOn, rules.backstopMonths),
      };
    case "concern":
      return { respondBy: addWorkingDays(receivedOn, rules.concernWorkingDays) };
    case "enquiry":
      return { respondBy: addWorkingDays(receivedOn, rules.enquiryWorkingDays) };
    case "compliment":
      return {};
    default:
      throw new Error(`Unknown contact type ${JSON.stringify(type satisfies never)}`);
  }
}

/**
 * The last day of a period of `months` months *beginning with* `firstDay` (the day itself counts): received
 * 10 March, six months end on 9 September. With no corresponding day in the last month, the month's last day:
 * received 1 September, six months end on 28 (or 29) February; received 29 February 2028, on 28 August 2028.
 */
export function lastDayOfPeriodBeginningWith(firstDay: string, months: number): string {
  const sameDayLater = addCalendarMonths(firstDay, months);
  // addCalendarMonths lands on the month's last day when the month has no such date: then that day is the last.
  return sameDayLater.slice(8) === firstDay.slice(8) ? addCalendarDays(sameDayLater, -1) : sameDayLater;
}

/** The backstop deadline's name under these rules: "6-month limit". */
export function backstopLabel(rules: Readonly<DeadlineRules>): string {
  return `${rules.backstopMonths}-month limit`;
}

/** The working days a complaint of this complexity tier gets under these rules. */
export function tierWorkingDays(rules: Readonly<DeadlineRules>, tier: ComplexityTier): number {
  return rules.complexityWorkingDays?.[tier] ?? tier;
}

/**
 * SI 2009/309 reg 12(1)-(2): a complaint is made in time "not later than 12 months after" the day the matter
 * occurred or, if later, the day it came to the complainant's notice. True when received after that; exactly
 * 12 months is in time. 29 February counts forward to 28 February the next year. The body may still consider
 * it (reg 12(4)): a person decides and records why (the case's waiver).
 */
export function isOutOfTime(eventOn: string, receivedOn: string, rules: Readonly<DeadlineRules>, noticedOn?: string): boolean {
  if (!isIsoDate(receivedOn)) throw new Error(`Expected the date received as yyyy-mm-dd, got ${JSON.stringify(receivedOn)}`);
  const from = noticedOn !== undefined && noticedOn > eventOn ? noticedOn : eventOn;
  return receivedOn > addCalendarMonths(from, rules.outOfTimeMonths);
}

/** The PHSO's deadline for the trust while the Ombudsman has not decided: open or closed case alike. */
export function ombudsmanDueOn(c: Partial<Pick<Case, "ombudsman">>): string | undefined {
  return c.ombudsman && c.ombudsman.stage !== "decided" ? c.ombudsman.responseDueOn : undefined;
}

/**
 * The earliest deadline still to meet: acknowledgement until acknowledged, then the response, and for an open
 * complaint the next update to the complainant (`updateWorkingDays` after the last contact, the trust's
 * cadence); none once closed, except the Ombudsman's, which usually comes after closing.
 */
export function nextDue(
  c: Pick<Case, "status" | "deadlines"> & Partial<Pick<Case, "ombudsman" | "type" | "receivedOn" | "escalatedFromConcernOn" | "updates">>,
  updateWorkingDays: number,
): string | undefined {
  const due: string[] = [];
  const phso = ombudsmanDueOn(c);
  if (phso) due.push(phso);
  if (c.status === "open") {
    if (c.deadlines.acknowledgeBy && !c.deadlines.acknowledgedOn) due.push(c.deadlines.acknowledgeBy);
    if (c.deadlines.respondBy) due.push(c.deadlines.respondBy);
    const update = nextUpdateDue(c, updateWorkingDays);
    if (update) due.push(update);
  }
  return due.sort()[0];
}

/**
 * Turns an open concern into a formal complaint. Complaint deadlines start again from the escalation date
 * (acknowledge within 3 working days of it, and so on); the original date received stays as history.
 * updatedAt is left for the code that saves the case to stamp.
 */
export function escalateToComplaint(c: Case, onDate: string, trustRules: Pick<Rules, "deadlines" | "updates">): Case {
  const rules = trustRules.deadlines;
  if (c.type !== "concern") throw new CaseRuleError(`Only a concern can be escalated to a complaint; this is ${article(c.type)} ${c.type}.`);
  if (c.status !== "open") throw new CaseRuleError("This concern is closed: reopen it before escalating it to a complaint.");
  if (!isIsoDate(onDate)) throw new Error(`Expected the escalation date as yyyy-mm-dd, got ${JSON.stringify(onDate)}`);
  if (onDate < c.receivedOn) {
    throw new CaseRuleError(`The escalation date can't be before the concern was received (${formatPlainDate(c.receivedOn)}).`);
  }
  const complexity = c.complexity ?? rules.defaultComplexity;
  const deadlines = computeDeadlines({ type: "complaint", receivedOn: onDate, complexity }, rules);
  // Time limits run to when the person first raised it with us, so the concern date, not the escalation date.
  const outOfTime = c.eventOn !== undefined && isOutOfTime(c.eventOn, c.receivedOn, rules, c.noticedOn);
  const flags = c.flags.filter((f) => f !== "out-of-time");
  if (outOfTime) flags.push("out-of-time");
  const escalated: Case = { ...c, type: "complaint", complexity, deadlines, flags, escalatedFromConcernOn: onDate };
  return withNextDue(escalated, trustRules.updates.workingDays);
}

export interface ExtendResponseOptions {
  /** The complainant agreed a period longer than the 6-month backstop (reg 14). */
  agreedLonger?: boolean;
  /** The trust's rules, which name the backstop ("6-month limit") and set the update cadence. */
  rules: Pick<Rules, "deadlines" | "updates">;
  /** Today (London): a longer period can only be agreed before the backstop period ends (reg 14(2)(b)). */
  today?: string;
}

/**
 * Moves the response date, as agreed with the person who raised it. The reason is not stored on the case:
 * the caller records it in the case timeline, so it is only checked here.
 */
export function extendResponse(c: Case, newDate: string, reason: string, options: ExtendResponseOptions): Case {
  if (c.status !== "open") throw new CaseRuleError("This case is closed: its response date can't be changed.");
  if (c.type === "compliment") throw new CaseRuleError("A compliment has no response date to change.");
  if (!isIsoDate(newDate)) throw new CaseRuleError("Enter the new response date as a real date.");
  if (typeof reason !== "string" || reason.trim() === "") throw new CaseRuleError("Give a reason for changing the response date.");
  const startedOn = c.escalatedFromConcernOn ?? c.receivedOn;
  if (newDate <= startedOn) {
    throw new CaseRuleError(`The new response date must be after ${formatPlainDate(startedOn)}, when the clock started.`);
  }
  const backstop = c.deadlines.backstop;
  const beyondBackstop = backstop !== undefined && newDate > backstop;
  if (beyondBackstop && !options.agreedLonger) {
    throw new CaseRuleError(
      `${formatPlainDate(newDate)} is after the ${backstopLabel(options.rules.deadlines)} of ${formatPlainDate(backstop)}. ` +
        "Only go beyond it if the complainant has agreed a longer period, and record that they have.",
    );
  }
  // Reg 14(2)(b): a longer period is agreed "before the expiry of" the six months; one already agreed may be moved.
  if (beyondBackstop && options.today !== undefined && options.today > backstop && !c.deadlines.longerPeriodAgreed) {
    throw new CaseRuleError(
      `The ${backstopLabel(options.rules.deadlines)} ended on ${formatPlainDate(backstop)}: a longer period can only be agreed before it ends ` +
        "(NHS complaints regulations 2009, regulation 14). Send the response as soon as you can, and record why it is late.",
    );
  }
  const deadlines: Case["deadlines"] = { ...c.deadlines, respondBy: newDate, respondByAgreed: true };
  if (beyondBackstop) deadlines.longerPeriodAgreed = true;
  else delete deadlines.longerPeriodAgreed;
  return withNextDue({ ...c, deadlines }, options.rules.updates.workingDays);
}

const deadlineNames = (rules: Readonly<DeadlineRules>) =>
  [
    ["acknowledgeBy", "Acknowledge by"],
    ["respondBy", "Respond by"],
    ["backstop", backstopLabel(rules)],
  ] as const;

/**
 * Works a case's deadlines out again under the trust's current rules (ctx.rules), from the day its clock
 * started. Stored deadlines are otherwise never recomputed, so changing the rules moves future cases only;
 * this is the deliberate exception, recorded on the timeline with the old and new dates. What has been done
 * or agreed stays: a sent acknowledgement, a response date agreed with the person, a longer period agreed.
 */
export function recalculateDeadlines(c: Case, ctx: ActionContext): ActionResult {
  if (c.status !== "open") throw new CaseRuleError("This case is closed: its deadlines can't be recalculated. Reopen it first if it needs new ones.");
  if (c.type === "compliment") throw new CaseRuleError("A compliment has no deadlines to recalculate.");
  const rules = ctx.rules.deadlines;
  const startedOn = c.escalatedFromConcernOn ?? c.receivedOn;
  const computed = computeDeadlines({ type: c.type, receivedOn: startedOn, complexity: c.complexity }, rules);
  const kept = c.deadlines;
  const deadlines: Case["deadlines"] = { ...computed };
  if (kept.acknowledgedOn) deadlines.acknowledgedOn = kept.acknowledgedOn;
  if (kept.respondByAgreed && kept.respondBy) {
    deadlines.respondBy = kept.respondBy;
    deadlines.respondByAgreed = true;
  }
  if (kept.longerPeriodAgreed) deadlines.longerPeriodAgreed = true;
  const updated = withNextDue({ ...c, deadlines, updatedAt: ctx.now.toISOString() }, ctx.rules.updates.workingDays);
  const changes: { key: string; label: string; before?: string; after?: string }[] = deadlineNames(rules)
    .filter(([key]) => kept[key] !== deadlines[key])
    .map(([key, label]) => ({ key, label, before: kept[key], after: deadlines[key] }));
  // The update cadence moves only the next deadline (an update to the complainant is not stored as a date of its own).
  if (changes.length === 0 && updated.nextDueOn !== c.nextDueOn)
    changes.push({ key: "nextDueOn", label: "Next deadline", before: c.nextDueOn, after: updated.nextDueOn });
  if (changes.length === 0) throw new CaseRuleError("The deadlines already follow the current rules, so nothing changed.");
  const dated = (day: string | undefined) => (day ? formatPlainDate(day) : "none");
  return {
    updated,
    event: {
      kind: "deadlines-recalculated",
      summary: `Deadlines recalculated under the current rules: ${changes.map((ch) => `${ch.label.toLowerCase()} from ${dated(ch.before)} to ${dated(ch.after)}`).join("; ")}`,
      changes: changes.map((ch) => ({ field: ch.key, before: ch.before, after: ch.after })),
    },
  };
}

function withNextDue(c: Case, updateWorkingDays: number): Case {
  const due = nextDue(c, updateWorkingDays);
  const next: Case = { ...c };
  if (due) next.nextDueOn = due;
  else delete next.nextDueOn;
  return next;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}
