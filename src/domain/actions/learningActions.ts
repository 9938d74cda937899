// Actions arising from cases ("what will change"): an owner, a division, a due day, and the evidence of what
// changed once done. Pure rules over the case; the actions live on the case document, so every change to one is
// an etag-guarded case update and lands on the case timeline. Actions outlive their case: a closed case keeps
// its open actions tracked, and they can still be marked done.
import type { Case } from "../case/caseSchema";
import { formatPlainDate, isIsoDate, isWorkingDay, londonDate, subtractWorkingDays } from "../calendar/calendar";
import type { ActionContext, ActionResult } from "../case/change";
import { CaseRuleError } from "../case/errors";
import { findIdentifiers, identifiersOf, type FoundIdentifier, type IdentifierKind } from "../case/identifiers";
import { subjectTitle, type Subject } from "../reports/ko41a";
import { ACTION_TEXT_LIMIT, LearningActionSchema, type LearningAction } from "./learningActionSchema";

/** Actions may be published ("You said, we did"), so their words never name the patient. */
export const NO_PATIENT_DETAILS = "Write the action without the patient's name or NHS number: actions can be published in 'You said, we did'.";

/** The division is published with the action, so it never names the patient either. */
export const NO_PATIENT_DETAILS_IN_DIVISION =
  "Enter the division without the patient's name or NHS number: it is published with the action in 'You said, we did'.";

const KIND_WORDS: Readonly<Record<IdentifierKind, (text: string) => string>> = {
  "nhs-number": (text) => `an NHS number (“${text}”)`,
  "long-number": (text) => `a long number that could identify someone (“${text}”)`,
  "date-of-birth": (text) => `the patient's date of birth (“${text}”)`,
  name: (text) => `“${text}”, from the patient's or raiser's name`,
};

/**
 * Why a text was refused, naming what was found (to the person who typed it, so they can find it), and, when it is a
 * name, that a word of the name counts even where it is also an ordinary word: a patient called Ward makes "Ward 7"
 * a name too. We refuse rather than guess, since what an action says may be published.
 */
export function patientDetailsRefusal(lead: string, found: readonly FoundIdentifier[]): string {
  const seen = new Set<string>();
  const named = found.filter((f) => {
    const key = `${f.kind}:${f.text.toLowerCase()}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const listed = named.slice(0, 3).map((f) => KIND_WORDS[f.kind](f.text.replace(/\s+/g, " ").trim()));
  const more = named.length > 3 ? ` and ${named.length - 3} more` : "";
  const list = listed.length > 1 ? `${listed.slice(0, -1).join(", ")} and ${listed[listed.length - 1]}` : (listed[0] ?? "");
  const ordinary = found.some((f) => f.kind === "name")
    ? " A word of their name counts even where it is also an ordinary word (a ward, a bell): say it another way."
    : "";
  return `${lead} It has ${list}${more}.${ordinary}`;
}

/** The patient's details found in a text, by what the case knows (identifiers.ts): names, NHS number, date of birth. */
export function patientDetailsIn(c: Pick<Case, "patient" | "raiser">, text: string): FoundIdentifier[] {
  return findIdentifiers(text, identifiersOf(c));
}

const folded = (text: string) => text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

export function actionsOf(c: Pick<Case, "actions">): readonly LearningAction[] {
  return c.actions ?? [];
}

export function findAction(c: Pick<Case, "actions">, actionId: string): LearningAction {
  const found = actionsOf(c).find((action) => action.id === actionId);
  if (!found) throw new CaseRuleError("That action is not on this case. The card may be out of date: open the case again.");
  return found;
}

export interface NewActionInput {
  readonly id: string;
  readonly description: string;
  /** Checked against the trust's people by the application layer before this rule runs. */
  readonly owner: { readonly aadObjectId: string; readonly name: string };
  readonly division: string;
  readonly dueOn: string;
  /** A KO41a subject of the case (blank for none). */
  readonly subject?: string;
}

function checkedText(c: Case, text: string, missing: string, tooLong: string): string {
  const trimmed = text.trim();
  if (!trimmed) throw new CaseRuleError(missing);
  if (trimmed.length > ACTION_TEXT_LIMIT) throw new CaseRuleError(tooLong);
  const found = patientDetailsIn(c, trimmed);
  if (found.length > 0) throw new CaseRuleError(patientDetailsRefusal(NO_PATIENT_DETAILS, found));
  return trimmed;
}

/** "Add an action" on an open case: what will change, who owns it, which division, by when (a working day, not past). */
export function addAction(c: Case, input: NewActionInput, ctx: ActionContext): ActionResult {
  if (c.status !== "open") throw new CaseRuleError("This case is closed. Reopen it first to add an action.");
  const description = checkedText(
    c,
    input.description,
    "Write what will change.",
    `Shorten what will change to ${ACTION_TEXT_LIMIT.toLocaleString("en-GB")} characters.`,
  );
  const division = input.division.trim();
  if (!division || division.length > 200) throw new CaseRuleError("Enter the division (up to 200 characters).");
  const inDivision = patientDetailsIn(c, division);
  if (inDivision.length > 0) throw new CaseRuleError(patientDetailsRefusal(NO_PATIENT_DETAILS_IN_DIVISION, inDivision));
  const today = londonDate(ctx.now);
  const dueOn = input.dueOn.trim();
  if (!isIsoDate(dueOn)) throw new CaseRuleError("Choose the due date.");
  if (dueOn < today) throw new CaseRuleError("The due date is in the past. Choose today or a later working day.");
  if (!isWorkingDay(dueOn)) throw new CaseRuleError(`${formatPlainDate(dueOn)} is not a working day. Choose a weekday that is not a bank holiday.`);
  const subject = input.subject?.trim() || undefined;
  if (subject && !c.subjects.includes(subject as Subject)) throw new CaseRuleError("Choose the theme from the case's subjects, or leave it blank.");
  if (actionsOf(c).some((action) => action.id === input.id)) throw new CaseRuleError("This action is on the case already.");
  const action = LearningActionSchema.parse({
    id: input.id,
    description,
    ...(subject ? { subject } : {}),
    owner: { aadObjectId: input.owner.aadObjectId, name: input.owner.name },
    division,
    dueOn,
    status: "open",
    createdOn: today,
    createdBy: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name },
  });
  return {
    updated: { ...c, actions: [...actionsOf(c), action], updatedAt: ctx.now.toISOString() },
    event: {
      kind: "action-added",
      // Our words and the owner's directory name only: what was typed goes in the detail.
      summary: `Action added for ${action.owner.name}, due ${formatPlainDate(dueOn)}`,
      detail: [description, `Division: ${division}`, subject ? `Theme: ${subjectTitle(subject as Subject)}` : ""].filter(Boolean).join("\n"),
    },
  };
}

/** Only the action's owner or a manager (or admin) marks it done. */
export function mayMarkDone(action: Pick<LearningAction, "owner">, actorAadObjectId: string, isManager: boolean): boolean {
  return isManager || action.owner.aadObjectId.toLowerCase() === actorAadObjectId.toLowerCase();
}

/** "Mark done" with what changed; allowed on a closed case (the action outlives it). */
export function markActionDone(c: Case, actionId: string, evidence: string, ctx: ActionContext & { readonly isManager: boolean }): ActionResult {
  const action = findAction(c, actionId);
  if (!mayMarkDone(action, ctx.actor.aadObjectId, ctx.isManager)) {
    throw new CaseRuleError(`This action belongs to ${action.owner.name}. Only they or a PALS manager can mark it done.`);
  }
  if (action.status === "done")
    throw new CaseRuleError(
      `${action.done?.by.name ?? "Someone"} already marked this action done${action.done ? ` on ${formatPlainDate(action.done.on)}` : ""}.`,
    );
  const text = checkedText(
    c,
    evidence,
    "Say what changed: it is the evidence the action was done.",
    `Shorten what changed to ${ACTION_TEXT_LIMIT.toLocaleString("en-GB")} characters.`,
  );
  const today = londonDate(ctx.now);
  const done = LearningActionSchema.parse({
    ...action,
    status: "done",
    done: { on: today, by: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name }, evidence: text },
  });
  return {
    updated: { ...c, actions: actionsOf(c).map((a) => (a.id === actionId ? done : a)), updatedAt: ctx.now.toISOString() },
    event: {
      kind: "action-done",
      summary: `Action done by ${ctx.actor.name} (owner ${action.owner.name}, due ${formatPlainDate(action.dueOn)})`,
      detail: `Action: ${action.description}\nWhat changed: ${text}`,
    },
  };
}

// --- nudges and the overdue alert ------------------------------------------------------------

export type ActionMoment = "before" | "due-day" | "overdue";

/**
 * What the morning round owes each open action today, whatever the case's status: the owner's nudge once the
 * nudge window opens ("before"), on the due day, and the managers' alert once it is overdue. Each goes once
 * (its outbox id is the action's and the moment's), so being asked again on later days changes nothing.
 */
export function actionReminders(
  c: Pick<Case, "actions" | "retiringOn">,
  today: string,
  windowWorkingDays: number,
): { action: LearningAction; moment: ActionMoment }[] {
  if (c.retiringOn) return [];
  return actionsOf(c)
    .filter((action) => action.status === "open")
    .flatMap((action): { action: LearningAction; moment: ActionMoment }[] => {
      if (action.dueOn < today) return [{ action, moment: "overdue" }];
      if (action.dueOn === today) return [{ action, moment: "due-day" }];
      const windowOpens = subtractWorkingDays(action.dueOn, windowWorkingDays);
      // Added inside the window: the owner's card came with the date on it, so the next nudge is the due day's.
      if (windowOpens <= today && action.createdOn < windowOpens) return [{ action, moment: "before" }];
      return [];
    });
}

/** The first day an open action needs the morning round (its nudge window opening), open or closed case. */
export function actionAttentionDay(c: Partial<Pick<Case, "actions" | "retiringOn">>, windowWorkingDays: number): string | undefined {
  if (c.retiringOn) return undefined;
  return actionsOf(c)
    .filter((action) => action.status === "open")
    .map((action) => subtractWorkingDays(action.dueOn, windowWorkingDays))
    .sort()[0];
}

export type ActionState = "open" | "done" | "overdue";

export function actionState(action: Pick<LearningAction, "status" | "dueOn">, today: string): ActionState {
  return action.status === "done" ? "done" : action.dueOn < today ? "overdue" : "open";
}

// --- lists -------------------------------------------------------------------------------------

/** A case as the action lists read it: its id, reference and actions (one bounded query, nothing else). */
export interface CaseActions {
  readonly id: string;
  readonly reference: string;
  readonly actions: readonly LearningAction[];
}

export interface ListedAction {
  readonly caseId: string;
  readonly reference: string;
  readonly action: LearningAction;
  readonly overdue: boolean;
}

const byDue = (a: ListedAction, b: ListedAction) =>
  a.action.dueOn.localeCompare(b.action.dueOn) || a.reference.localeCompare(b.reference) || a.action.id.localeCompare(b.action.id);

function openListed(cases: readonly CaseActions[], today: string, mine?: string): ListedAction[] {
  const me = mine?.toLowerCase();
  return cases.flatMap((c) =>
    c.actions
      .filter((action) => action.status === "open" && (me === undefined || action.owner.aadObjectId.toLowerCase() === me))
      .map((action) => ({ caseId: c.id, reference: c.reference, action, overdue: action.dueOn < today })),
  );
}

/** `actions`: a person's open actions, soonest due first (the overdue ones come first by that order). */
export function myOpenActions(cases: readonly CaseActions[], aadObjectId: string, today: string): ListedAction[] {
  return openListed(cases, today, aadObjectId).sort(byDue);
}

export interface DivisionActions {
  readonly division: string;
  readonly open: number;
  readonly overdue: number;
  readonly actions: readonly ListedAction[];
}

/** `actions all`: every open action by division (divisions with overdue actions first), overdue first within each. */
export function openActionsByDivision(cases: readonly CaseActions[], today: string): DivisionActions[] {
  // "Medicine" and "medicine " are one division, shown as first written.
  const groups = new Map<string, { division: string; actions: ListedAction[] }>();
  for (const listed of openListed(cases, today)) {
    const key = folded(listed.action.division);
    const group = groups.get(key) ?? { division: listed.action.division.trim(), actions: [] };
    group.actions.push(listed);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ division, actions }) => ({
      division,
      open: actions.length,
      overdue: actions.filter((a) => a.overdue).length,
      actions: [...actions].sort((a, b) => Number(b.overdue) - Number(a.overdue) || byDue(a, b)),
    }))
    .sort((a, b) => b.overdue - a.overdue || a.division.localeCompare(b.division, "en-GB"));
}
