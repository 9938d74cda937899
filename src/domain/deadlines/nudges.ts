import { DateTime } from "luxon";
import type { Case } from "../case/caseSchema";
import type { ActionContext, ActionResult } from "../case/change";
import { CaseRuleError } from "../case/errors";
import { addWorkingDays, isWorkingDay, LONDON_ZONE, subtractWorkingDays, workingDaysBetween } from "../calendar/calendar";
import type { Choice } from "../case/choice";
import { ombudsmanDueOn } from "./deadlines";
import { investigationAttentionDay } from "../investigations/investigations";
import { actionAttentionDay } from "../actions/learningActions";
import type { Rules } from "./rules";

/** The parts of the trust's rules that decide when a case needs attention (England's when left out). */
export type AttentionRules = Pick<Rules, "nudgeWindowWorkingDays" | "investigations">;

/** Nudges start this many working days before a deadline ("due within 2 working days"); the trust's rules may change it. */
export const NUDGE_WINDOW_WORKING_DAYS = 2;
/** Nudges and the overdue check go out at this London wall-clock time on working days. */
export const NUDGE_TIME = "09:00";

/** The next working day strictly after `dateIso`. */
export function nextWorkingDay(dateIso: string): string {
  return addWorkingDays(dateIso, 1);
}

/** The first working day a case needs someone's attention: its nudge window opening. */
export function attentionDay(
  c: Pick<Case, "status" | "nextDueOn" | "investigations"> & Partial<Pick<Case, "ombudsman" | "actions" | "retiringOn">>,
  rules: AttentionRules,
): string | undefined {
  const window = rules.nudgeWindowWorkingDays;
  // Open actions need their nudges and overdue alert whether the case is open or closed.
  const actions = actionAttentionDay(c, window);
  // A closed case still needs attention while the Ombudsman waits for the trust.
  if (c.status !== "open" && !ombudsmanDueOn(c)) return actions;
  const days = [
    c.nextDueOn && subtractWorkingDays(c.nextDueOn, window),
    investigationAttentionDay(c, rules.investigations.reminderWorkingDays),
    actions,
  ].filter((d): d is string => !!d);
  return days.sort()[0];
}

export type DigestState = "overdue" | "due-today" | "due-soon";

/** The deadlines nextDueOn can be (deadlines.ts nextDue). */
export const DEADLINE_KINDS = ["acknowledgement", "response", "ombudsman", "update"] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

const DEADLINE_KIND_TITLES: Readonly<Record<DeadlineKind, string>> = {
  acknowledgement: "Acknowledgement",
  response: "Response",
  ombudsman: "Ombudsman's response",
  update: "Update to the complainant",
};

/** "Update to the complainant": what a digest line or a case list says is due. */
export const deadlineKindTitle = (kind: DeadlineKind): string => DEADLINE_KIND_TITLES[kind] ?? "Response";

/**
 * Which deadline a case's nextDueOn is. Worked out from the stored dates alone (no rules needed, so a list's
 * projection will do): an open complaint's due day that is none of its other deadlines is its next update to
 * the complainant. The acknowledgement, then the Ombudsman's date, then the response win a tie.
 */
export function nextDeadlineKind(c: Pick<Case, "type" | "status" | "nextDueOn" | "deadlines"> & Partial<Pick<Case, "ombudsman">>): DeadlineKind | undefined {
  const dueOn = c.nextDueOn;
  if (!dueOn) return undefined;
  if (c.deadlines.acknowledgeBy === dueOn && !c.deadlines.acknowledgedOn) return "acknowledgement";
  if (ombudsmanDueOn(c) === dueOn) return "ombudsman";
  if (c.status === "open" && c.type === "complaint" && c.deadlines.respondBy !== dueOn) return "update";
  return "response";
}

/** One line of an officer's morning digest. */
export interface DigestItem {
  readonly caseId: string;
  readonly reference: string;
  readonly type: Case["type"];
  /** Which deadline: the acknowledgement, the response, what the Ombudsman (PHSO) asked for, or an update to the complainant. */
  readonly deadline: DeadlineKind;
  readonly dueOn: string;
  readonly state: DigestState;
  /** Working days left (positive) or overdue (negative). */
  readonly workingDays: number;
}

/** What an officer should hear about a case today, or undefined when its next deadline is further off. */
export function digestItem(
  c: Pick<Case, "id" | "reference" | "type" | "status" | "nextDueOn" | "deadlines" | "ombudsman">,
  today: string,
  windowWorkingDays: number,
): DigestItem | undefined {
  if ((c.status !== "open" && !ombudsmanDueOn(c)) || !c.nextDueOn) return undefined;
  const workingDays = c.nextDueOn === today ? 0 : workingDaysBetween(today, c.nextDueOn);
  if (workingDays > windowWorkingDays) return undefined;
  return {
    caseId: c.id,
    reference: c.reference,
    type: c.type,
    deadline: nextDeadlineKind(c) ?? "response",
    dueOn: c.nextDueOn,
    state: c.nextDueOn < today ? "overdue" : c.nextDueOn === today ? "due-today" : "due-soon",
    workingDays,
  };
}

/** How many of a person's open cases still have details to record, and the first few (by reference) to open. */
export interface DigestIncomplete {
  readonly count: number;
  readonly cases: readonly { readonly caseId: string; readonly reference: string }[];
}

/** The digest names this many incomplete cases; the count covers the rest. */
export const DIGEST_INCOMPLETE_SHOWN = 3;

/** The digest's "details still to record" part from a person's incomplete open cases; undefined when there are none. */
export function digestIncomplete(cases: readonly { readonly caseId: string; readonly reference: string }[]): DigestIncomplete | undefined {
  if (cases.length === 0) return undefined;
  const sorted = [...cases].sort((a, b) => a.reference.localeCompare(b.reference));
  return { count: cases.length, cases: sorted.slice(0, DIGEST_INCOMPLETE_SHOWN).map((c) => ({ caseId: c.caseId, reference: c.reference })) };
}

/** Overdue first (most overdue at the top), then due today, then due soon; by reference within each. */
export function sortDigest(items: readonly DigestItem[]): DigestItem[] {
  const order: Record<DigestState, number> = { overdue: 0, "due-today": 1, "due-soon": 2 };
  return [...items].sort((a, b) => order[a.state] - order[b.state] || a.dueOn.localeCompare(b.dueOn) || a.reference.localeCompare(b.reference));
}

// --- escalation alerts to managers ---------------------------------------------------------

export const ALERT_REASONS = [
  { id: "acknowledgement-overdue", title: "Acknowledgement overdue" },
  { id: "response-overdue", title: "Response overdue" },
  { id: "high-risk", title: "High risk (15 or more)" },
  { id: "safeguarding", title: "Safeguarding concern" },
  { id: "patient-safety", title: "Possible patient safety incident: report it on the incident system" },
  { id: "mp-involved", title: "MP involved" },
  { id: "regulator-involved", title: "Ombudsman or regulator involved" },
  { id: "repeat-contact", title: "Third contact about this patient in 90 days" },
  { id: "escalated-to-complaint", title: "Concern escalated to a formal complaint" },
  { id: "investigation-overdue", title: "Investigation input overdue" },
  { id: "action-overdue", title: "Action from a case overdue" },
] as const satisfies readonly Choice[];

export type AlertReason = (typeof ALERT_REASONS)[number]["id"];

export function alertReasonTitle(reason: AlertReason): string {
  return ALERT_REASONS.find((r) => r.id === reason)?.title ?? reason;
}

/** How many contacts about one patient within this many days make a pattern managers should see. */
export const REPEAT_CONTACT_DAYS = 90;
export const REPEAT_CONTACT_COUNT = 3;

/** Reasons that come from what the case is (its flags and history), checked whenever it is logged or changed. */
export function alertReasonsFor(c: Case, context: { contactsAboutPatientIn90Days?: number } = {}): AlertReason[] {
  const reasons: AlertReason[] = [];
  // Ombudsman involvement on a closed case still needs the managers.
  if (c.status !== "open") return c.ombudsman && c.ombudsman.stage !== "decided" ? ["regulator-involved"] : reasons;
  for (const flag of ["high-risk", "safeguarding", "patient-safety", "mp-involved", "regulator-involved"] as const) {
    if (c.flags.includes(flag)) reasons.push(flag);
  }
  if ((context.contactsAboutPatientIn90Days ?? 0) >= REPEAT_CONTACT_COUNT) reasons.push("repeat-contact");
  if (c.escalatedFromConcernOn) reasons.push("escalated-to-complaint");
  return reasons;
}

/** Deadlines that have passed: checked by the morning sweep. */
export function overdueReasons(c: Case, today: string): AlertReason[] {
  if (c.status !== "open") return [];
  const reasons: AlertReason[] = [];
  if (c.deadlines.acknowledgeBy && !c.deadlines.acknowledgedOn && c.deadlines.acknowledgeBy < today) reasons.push("acknowledgement-overdue");
  if (c.deadlines.respondBy && c.deadlines.respondBy < today) reasons.push("response-overdue");
  return reasons;
}

/** "HH:mm" on a London wall clock (GMT or BST) at an instant. */
export function londonClockTime(instant: Date): string {
  return DateTime.fromJSDate(instant).setZone(LONDON_ZONE).toFormat("HH:mm");
}

/** True when the morning round is due: a working day at or after 09:00 London. */
export function isNudgeTime(today: string, londonTime: string): boolean {
  return isWorkingDay(today) && londonTime >= NUDGE_TIME;
}

/**
 * A manager acknowledges an alert (once): who and when is kept on the case, so the alert card shows it to
 * every manager and a second acknowledgement is refused. The case's own facts do not change.
 */
export function acknowledgeAlert(c: Case, alert: { readonly id: string; readonly reason: AlertReason }, ctx: ActionContext): ActionResult {
  const done = (c.alertAcknowledgements ?? []).find((a) => a.alertId === alert.id);
  if (done) throw new CaseRuleError(`${done.by.name} already acknowledged this alert.`);
  const acknowledgement = {
    alertId: alert.id,
    reason: alert.reason,
    by: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name },
    at: ctx.now.toISOString(),
  };
  return {
    updated: { ...c, alertAcknowledgements: [...(c.alertAcknowledgements ?? []), acknowledgement] },
    event: { kind: "alert-acknowledged", summary: `Manager alert acknowledged: ${alertReasonTitle(alert.reason)}` },
  };
}

/** Who acknowledged an alert, if anyone has. */
export function alertAcknowledgement(
  c: Pick<Case, "alertAcknowledgements"> | undefined,
  alertId: string,
): NonNullable<Case["alertAcknowledgements"]>[number] | undefined {
  return c?.alertAcknowledgements?.find((a) => a.alertId === alertId);
}
